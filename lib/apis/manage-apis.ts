import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { AppError, Conflict, Forbidden, Invalid, NotFound } from "../errors/app-error.ts";
import { authorize, can } from "../policy/authorize.ts";
import { getSettings } from "../settings/settings.ts";
import type { CreateApiInput, UpdateApiInput } from "./api-schemas.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";
import { identifierLocked, isOwner, maySeeApi } from "./list-apis.ts";
import { holdersOf, inUse, isHeld, namedHolders, removeGrants } from "./permission-holders.ts";

/**
 * Registering and editing APIs (issue 14). apis.write, or the API's owner signed in, may edit an
 * API; Keyward's own built-in API is read-only for everybody (its rows follow the code). Every
 * change is audited in its transaction and tells the registry's caches (tag `apis`).
 */
type Ctx = { actor: Principal; context: RequestContext };

export const BUILT_IN_READ_ONLY =
  "Keyward's own API is built in: its name, identifier and permissions follow this version's code and cannot be edited.";

const DEFAULT_TTL_SECONDS = 900;

/** The API `id` as the actor may change it: 404 if they may not see it, 403 (with why) if they may not edit it. */
export async function editableApi(tx: Tx, actor: Principal, id: string) {
  const api = await tx.api.findUnique({ where: { id } });
  if (!api || !maySeeApi(actor, api.ownerId)) throw NotFound("API");
  if (api.id === BUILT_IN_API_ID) throw Forbidden(BUILT_IN_READ_ONLY);
  if (!can(actor, "apis.write") && !isOwner(actor, api.ownerId)) {
    throw Forbidden("Only the API's owner or someone with apis.write may change it.");
  }
  return api;
}

/** The most seconds an API's access tokens may live: the access-token lifetime setting. */
export async function maxTtlSeconds(tx: Tx): Promise<number> {
  return (await getSettings(tx)).accessTokenMinutes * 60;
}

function assertTtl(ttl: number, max: number): void {
  if (ttl > max) {
    const message = `At most ${max} seconds: the access-token lifetime setting caps every API's.`;
    throw Invalid(message, [{ path: "accessTokenTtlSeconds", message }]);
  }
}

/** The owner named by id or email: an active user (of an API, or of what `what` names). */
export async function resolveOwner(tx: Tx, owner: string, what = "an API") {
  const user = await tx.user.findFirst({
    where: owner.startsWith("usr_") ? { id: owner } : { email: owner.toLowerCase() },
    select: { id: true, email: true, name: true, status: true },
  });
  if (!user) {
    const message = "No user has this email address or id.";
    throw Invalid(message, [{ path: "owner", message }]);
  }
  if (user.status !== "active") {
    const message = `${user.email} is not active and cannot own ${what}.`;
    throw Invalid(message, [{ path: "owner", message }]);
  }
  return user;
}

async function assertUnique(tx: Tx, fields: { name?: string; identifier?: string }, exceptId = "") {
  if (fields.name !== undefined) {
    const clash = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Api" WHERE lower(name) = lower(${fields.name}) AND id <> ${exceptId} LIMIT 1`;
    if (clash.length > 0) throw taken("name", "An API with this name already exists.");
  }
  if (fields.identifier !== undefined) {
    const clash = await tx.api.findFirst({
      where: { identifier: fields.identifier, id: { not: exceptId } },
      select: { id: true },
    });
    if (clash)
      throw taken("identifier", "Another API already has this identifier: each audience is one API's.");
  }
}

const taken = (path: string, message: string) =>
  new AppError("conflict", message, { fields: [{ path, message }] });

/** A concurrent create with the same name or identifier loses at the unique index: 409, not 500. */
function uniqueViolation(error: unknown): never {
  if (error instanceof Error && "code" in error && error.code === "P2002") {
    throw Conflict("An API with this name or identifier already exists.");
  }
  throw error;
}

/** Registers an API. apis.write; the owner defaults to the caller's accountable person and must be active. */
export async function createApi(options: Ctx & { input: CreateApiInput }): Promise<{ id: string }> {
  const { actor, input, context } = options;
  authorize(actor, "apis.write");
  const ownerRef = input.owner ?? (actor.kind === "client" ? actor.ownerId : actor.userId);
  return db
    .$transaction(async (tx) => {
      const owner = await resolveOwner(tx, ownerRef);
      const max = await maxTtlSeconds(tx);
      const ttl = input.accessTokenTtlSeconds ?? Math.min(DEFAULT_TTL_SECONDS, max);
      assertTtl(ttl, max);
      await assertUnique(tx, input);
      const id = newId("api");
      const after = {
        name: input.name,
        identifier: input.identifier,
        description: input.description,
        accessTokenTtlSeconds: ttl,
        allowPersonalTokens: input.allowPersonalTokens,
        requireDpop: input.requireDpop ?? false,
      };
      await tx.api.create({ data: { id, ...after, ownerId: owner.id } });
      await credentialsChanged(tx, ["apis"]);
      await recordAudit(tx, {
        action: "api.created",
        actor: auditActor(actor),
        target: { kind: "api", id, display: input.name },
        context,
        details: { after: { ...after, owner: { id: owner.id, email: owner.email } } },
      });
      return { id };
    })
    .catch(uniqueViolation);
}

/**
 * Edits an API (a PATCH: what is sent changes). The identifier is the `aud` of its tokens: fixed
 * (409) once a token or client holds one of its permissions. Changing the owner needs apis.write;
 * disabling or enabling is audited as such (api.disabled / api.enabled).
 */
export async function updateApi(options: Ctx & { id: string; input: UpdateApiInput }): Promise<void> {
  const { actor, input, context } = options;
  await assertRecentAuth(actor);
  await db
    .$transaction(async (tx) => {
      const api = await editableApi(tx, actor, options.id);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      const data: Record<string, unknown> = {};
      const change = (key: string, from: unknown, to: unknown, value: unknown = to) => {
        if (to === undefined || from === to) return;
        before[key] = from;
        after[key] = to;
        data[key] = value;
      };
      change("name", api.name, input.name);
      change("identifier", api.identifier, input.identifier);
      change("description", api.description, input.description);
      change("accessTokenTtlSeconds", api.accessTokenTtlSeconds, input.accessTokenTtlSeconds);
      change("allowPersonalTokens", api.allowPersonalTokens, input.allowPersonalTokens);
      change("requireDpop", api.requireDpop, input.requireDpop);
      if (input.owner !== undefined) {
        const owner = await resolveOwner(tx, input.owner);
        if (owner.id !== api.ownerId) {
          if (!can(actor, "apis.write")) throw Forbidden("Handing an API to another owner needs apis.write.");
          before.ownerId = api.ownerId;
          after.owner = { id: owner.id, email: owner.email };
          data.ownerId = owner.id;
        }
      }
      const wasDisabled = api.disabledAt !== null;
      const toggled = input.disabled !== undefined && input.disabled !== wasDisabled;
      if (Object.keys(data).length === 0 && !toggled) return;
      if ("identifier" in data && (await identifierLocked(tx, api.id))) {
        throw new AppError(
          "conflict",
          `The identifier of ${api.name} is fixed: tokens or clients hold its permissions, and it is their audience (aud).`,
          {
            fields: [
              { path: "identifier", message: "Fixed once a token or client holds this API's permissions." },
            ],
          },
        );
      }
      if (typeof data.accessTokenTtlSeconds === "number")
        assertTtl(data.accessTokenTtlSeconds, await maxTtlSeconds(tx));
      await assertUnique(
        tx,
        {
          name: input.name === api.name ? undefined : input.name,
          identifier: data.identifier as string | undefined,
        },
        api.id,
      );
      await tx.api.update({
        where: { id: api.id },
        data: { ...data, ...(toggled ? { disabledAt: input.disabled ? new Date() : null } : {}) },
      });
      // Disabling, or whether personal tokens may carry it, changes what issued credentials may do.
      // Whether it takes only DPoP-bound tokens, issuance and introspection read from the registry's
      // entries (tag `apis`), so that tag is enough for it.
      const credentialsAffected = toggled || "allowPersonalTokens" in data;
      await credentialsChanged(tx, credentialsAffected ? ["*"] : ["apis"]);
      const name = (data.name as string | undefined) ?? api.name;
      if (Object.keys(data).length > 0) {
        await recordAudit(tx, {
          action: "api.updated",
          actor: auditActor(actor),
          target: { kind: "api", id: api.id, display: name },
          context,
          details: { before, after },
        });
      }
      if (toggled) {
        await recordAudit(tx, {
          action: input.disabled ? "api.disabled" : "api.enabled",
          actor: auditActor(actor),
          target: { kind: "api", id: api.id, display: name },
          context,
        });
      }
    })
    .catch(uniqueViolation);
}

/** Disables (no tokens are issued for it, issued ones stop there) or enables an API. */
export async function setApiDisabled(options: Ctx & { id: string; disabled: boolean }): Promise<void> {
  await updateApi({ ...options, input: { disabled: options.disabled } });
}

/**
 * Deletes an API with its permissions. While roles, tokens or clients hold any of them, only with
 * `confirm`: the 409 names them; confirmed, their grants go in the same transaction, audited.
 */
export async function deleteApi(options: Ctx & { id: string; confirm: boolean }): Promise<void> {
  const { actor, context } = options;
  await assertRecentAuth(actor);
  await db.$transaction(async (tx) => {
    const api = await editableApi(tx, actor, options.id);
    const permissions = await tx.apiPermission.findMany({
      where: { apiId: api.id },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
    });
    const ids = permissions.map((permission) => permission.id);
    const holders = await holdersOf(tx, ids);
    if (isHeld(holders) && !options.confirm) throw inUse(api.name, holders);
    await removeGrants(tx, ids, holders);
    await tx.apiPermission.deleteMany({ where: { apiId: api.id } });
    await tx.api.delete({ where: { id: api.id } });
    await credentialsChanged(tx, ["apis"]);
    await recordAudit(tx, {
      action: "api.deleted",
      actor: auditActor(actor),
      target: { kind: "api", id: api.id, display: api.name },
      context,
      details: {
        before: {
          name: api.name,
          identifier: api.identifier,
          ownerId: api.ownerId,
          permissions: permissions.map((permission) => permission.name),
        },
        removedFrom: namedHolders(holders),
      },
    });
  });
}

import { randomBytes } from "node:crypto";

import { credentialsChanged } from "../lib/credentials/change-feed.ts";
import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { makePrincipal } from "./factories.ts";

export type MakeApiOptions = {
  /** Permission names; default none. */
  permissions?: string[];
  /** Of those (or extra), the names marked deprecated. */
  deprecated?: string[];
  ownerId?: string;
  disabled?: boolean;
  allowPersonalTokens?: boolean;
  accessTokenTtlSeconds?: number;
  /** RFC 9449: only DPoP-bound tokens. */
  requireDpop?: boolean;
  /** The exact name; otherwise `<label> <random>`. */
  name?: string;
  /** Start of the generated name and identifier (default "Test API"). */
  label?: string;
};

/**
 * The one test factory of a registered API (issue 14): rows written with Prisma in one transaction,
 * so tests of other features need no registry code, and the registry caches told (`apis`), as the
 * registry's own changes do. Name and identifier are unique, so tests run in parallel. Returns the
 * Api row and its permission row ids by name.
 */
export async function makeApi(options: MakeApiOptions = {}) {
  const tag = randomBytes(4).toString("hex");
  const label = options.label ?? "Test API";
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const names = [...new Set([...(options.permissions ?? []), ...(options.deprecated ?? [])])];
  const api = await db.$transaction(async (tx) => {
    const created = await tx.api.create({
      data: {
        id: newId("api"),
        name: options.name ?? `${label} ${tag}`,
        identifier: `https://${slug}-${tag}.example.test/`,
        ownerId: options.ownerId ?? null,
        disabledAt: options.disabled ? new Date() : null,
        allowPersonalTokens: options.allowPersonalTokens ?? true,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900,
        requireDpop: options.requireDpop ?? false,
        permissions: {
          create: names.map((name) => ({
            id: newId("perm"),
            name,
            description: `May ${name}.`,
            deprecatedAt: options.deprecated?.includes(name) ? new Date() : null,
          })),
        },
      },
      include: { permissions: true },
    });
    await credentialsChanged(tx, ["apis"]);
    return created;
  });
  const permissionIds: Record<string, string> = Object.fromEntries(
    api.permissions.map((permission) => [permission.name, permission.id]),
  );
  return { ...api, permissionIds };
}

/** A custom role granting these permission rows (of any API). */
export async function makeApiRole(
  permissionIds: string[],
  name = `API role ${randomBytes(4).toString("hex")}`,
) {
  return db.role.create({
    data: {
      id: newId("rol"),
      name,
      grants: { create: permissionIds.map((permissionId) => ({ permissionId })) },
    },
  });
}

/**
 * A signed-in developer (tokens.create, clients.write, clients.read through a custom role) who also
 * holds these other-API permission rows through a second role, which the test may take away.
 */
export async function developerHolding(permissionIds: string[]) {
  const keyward = await db.role.create({
    data: {
      id: newId("rol"),
      name: `Dev ${randomBytes(4).toString("hex")}`,
      grants: {
        create: ["tokens.create", "clients.write", "clients.read"].map((name) => ({
          permissionId: `perm_keyward_${name}`,
        })),
      },
    },
  });
  const apiRole = await makeApiRole(permissionIds);
  const made = await makePrincipal([], [keyward.id, apiRole.id]);
  return { ...made, apiRole };
}

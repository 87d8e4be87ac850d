import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { AppError, Conflict, Invalid, NotFound } from "../errors/app-error.ts";
import { assertCleanText } from "../http/no-nul.ts";
import { zodToAppError } from "../http/problem.ts";
import {
  importPermissionsSchema,
  MAX_IMPORT_BYTES,
  MAX_PERMISSIONS_PER_API,
  type ImportPermissionsInput,
} from "./api-schemas.ts";
import { maySeeApi } from "./list-apis.ts";
import { editableApi } from "./manage-apis.ts";

export { MAX_IMPORT_BYTES };

export type PermissionsExport = {
  api: { name: string; identifier: string };
  permissions: { name: string; description: string; deprecated: boolean }[];
};

/** An API's permissions as JSON, the format `importPermissions` reads back. apis.read, or its owner. */
export async function exportPermissions(options: {
  actor: Principal;
  id: string;
}): Promise<PermissionsExport> {
  const api = await db.api.findUnique({
    where: { id: options.id },
    include: { permissions: { orderBy: { name: "asc" } } },
  });
  if (!api || !maySeeApi(options.actor, api.ownerId)) throw NotFound("API");
  return {
    api: { name: api.name, identifier: api.identifier },
    permissions: api.permissions.map((permission) => ({
      name: permission.name,
      description: permission.description,
      deprecated: permission.deprecatedAt !== null,
    })),
  };
}

/**
 * An uploaded file's text as an import (the UI's way in; the REST route parses its body the same
 * way): at most MAX_IMPORT_BYTES, JSON, clean text, then Keyward's format or an OpenAPI 3 document.
 */
export function parseImport(text: string): ImportPermissionsInput {
  if (Buffer.byteLength(text, "utf8") > MAX_IMPORT_BYTES) {
    throw new AppError("payload_too_large", `The file is larger than ${MAX_IMPORT_BYTES} bytes.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw Invalid(
      "The file is not valid JSON (an OpenAPI document in YAML must be converted to JSON first).",
    );
  }
  assertCleanText(value, "(file)");
  const parsed = importPermissionsSchema.safeParse(value);
  if (!parsed.success) throw zodToAppError(parsed.error);
  return parsed.data;
}

/**
 * Imports permissions into an API: new names are added, changed descriptions updated, nothing is
 * removed (nor deprecated or restored). One transaction, one audit event. The API's editors only.
 */
export async function importPermissions(options: {
  actor: Principal;
  id: string;
  input: ImportPermissionsInput;
  context: RequestContext;
}): Promise<{ added: number; updated: number; unchanged: number }> {
  const { actor, input, context } = options;
  return db.$transaction(async (tx) => {
    const api = await editableApi(tx, actor, options.id);
    const existing = new Map(
      (await tx.apiPermission.findMany({ where: { apiId: api.id } })).map((row) => [row.name, row]),
    );
    const added = input.permissions.filter((permission) => !existing.has(permission.name));
    const updated = input.permissions.filter((permission) => {
      const row = existing.get(permission.name);
      return row !== undefined && row.description !== permission.description;
    });
    const unchanged = input.permissions.length - added.length - updated.length;
    if (existing.size + added.length > MAX_PERMISSIONS_PER_API) {
      throw Conflict(
        `An API defines at most ${MAX_PERMISSIONS_PER_API} permissions: ${api.name} has ${existing.size}, the import adds ${added.length}.`,
      );
    }
    if (added.length + updated.length === 0) return { added: 0, updated: 0, unchanged };
    await tx.apiPermission.createMany({
      data: added.map((permission) => ({
        id: newId("perm"),
        apiId: api.id,
        name: permission.name,
        description: permission.description,
      })),
    });
    for (const permission of updated) {
      await tx.apiPermission.update({
        where: { apiId_name: { apiId: api.id, name: permission.name } },
        data: { description: permission.description },
      });
    }
    await credentialsChanged(tx, ["apis"]);
    const names = (list: { name: string }[]) => list.slice(0, 200).map((permission) => permission.name);
    await recordAudit(tx, {
      action: "api_permissions.imported",
      actor: auditActor(actor),
      target: { kind: "api", id: api.id, display: api.name },
      context,
      details: {
        counts: { added: added.length, updated: updated.length, unchanged },
        added: names(added),
        updated: names(updated),
      },
    });
    return { added: added.length, updated: updated.length, unchanged };
  });
}

import { randomBytes } from "node:crypto";

import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";

/**
 * A registered API with these permissions, made with Prisma directly (no registry code needed):
 * unique name and identifier, so tests run in parallel. `deprecated` names are marked deprecated.
 */
export async function makeTestApi(options: {
  name?: string;
  ownerId?: string;
  permissions: string[];
  deprecated?: string[];
  disabled?: boolean;
  allowPersonalTokens?: boolean;
}) {
  const tag = randomBytes(4).toString("hex");
  const name = options.name ? `${options.name} ${tag}` : `Test API ${tag}`;
  const api = await db.api.create({
    data: {
      id: newId("api"),
      name,
      identifier: `https://${tag}.api.example.test/`,
      ownerId: options.ownerId ?? null,
      disabledAt: options.disabled ? new Date() : null,
      allowPersonalTokens: options.allowPersonalTokens ?? true,
    },
  });
  const permissionIds: Record<string, string> = {};
  for (const permission of options.permissions) {
    const id = newId("perm");
    await db.apiPermission.create({
      data: {
        id,
        apiId: api.id,
        name: permission,
        description: `May ${permission}.`,
        deprecatedAt: options.deprecated?.includes(permission) ? new Date() : null,
      },
    });
    permissionIds[permission] = id;
  }
  return { api, permissionIds };
}

/** A custom role granting these permission rows (of any API). */
export async function makeApiRole(permissionIds: string[], name = `Role ${randomBytes(4).toString("hex")}`) {
  return db.role.create({
    data: {
      id: newId("rol"),
      name,
      grants: { create: permissionIds.map((permissionId) => ({ permissionId })) },
    },
  });
}

import { randomBytes } from "node:crypto";

import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { makePrincipal } from "./factories.ts";

/**
 * Registered APIs and roles granting their permissions, written as rows with Prisma: the tests of
 * credentials scoped to APIs need an API without going through the registry's own screens.
 */
export type TestApi = {
  id: string;
  name: string;
  identifier: string;
  /** Permission row ids by name. */
  permission: Record<string, string>;
};

export async function makeTestApi(
  options: {
    permissions?: string[];
    deprecated?: string[];
    ownerId?: string;
    disabled?: boolean;
    allowPersonalTokens?: boolean;
    accessTokenTtlSeconds?: number;
    label?: string;
  } = {},
): Promise<TestApi> {
  const tag = randomBytes(5).toString("hex");
  const label = options.label ?? "Orders";
  const api = await db.api.create({
    data: {
      id: newId("api"),
      name: `${label} ${tag}`,
      identifier: `https://${label.toLowerCase()}-${tag}.example.test/`,
      ownerId: options.ownerId ?? null,
      disabledAt: options.disabled ? new Date() : null,
      allowPersonalTokens: options.allowPersonalTokens ?? true,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900,
    },
  });
  const names = [...(options.permissions ?? ["orders.read", "orders.write"]), ...(options.deprecated ?? [])];
  const permission: Record<string, string> = {};
  for (const name of names) {
    const row = await db.apiPermission.create({
      data: {
        id: newId("perm"),
        apiId: api.id,
        name,
        description: `Test permission ${name}`,
        deprecatedAt: options.deprecated?.includes(name) ? new Date() : null,
      },
    });
    permission[name] = row.id;
  }
  return { id: api.id, name: api.name, identifier: api.identifier, permission };
}

/** A role granting these permission rows (of any API). */
export async function makeApiRole(permissionIds: string[]) {
  return db.role.create({
    data: {
      id: newId("rol"),
      name: `API role ${randomBytes(4).toString("hex")}`,
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

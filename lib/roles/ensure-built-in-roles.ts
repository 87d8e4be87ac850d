import { BUILT_IN_ROLE_KEYS, BUILT_IN_ROLES, type BuiltInRoleKey } from "../policy/built-in-roles.ts";
import { newId } from "../crypto/ids.ts";
import type { Db } from "../db/client.ts";

/**
 * Built-in roles are defined in code; this keeps their rows (which assignments point at) in step,
 * so a new version's change to a built-in role applies on the next start. Idempotent.
 */
export async function ensureBuiltInRoles(client: Db): Promise<void> {
  for (const key of BUILT_IN_ROLE_KEYS) {
    const role = BUILT_IN_ROLES[key];
    await client.role.upsert({
      where: { builtInKey: key },
      create: {
        id: newId("rol"),
        builtInKey: key,
        name: role.name,
        description: role.description,
        permissions: [...role.permissions],
      },
      update: { name: role.name, description: role.description, permissions: [...role.permissions] },
    });
  }
}

export async function builtInRoleId(client: Pick<Db, "role">, key: BuiltInRoleKey): Promise<string> {
  const role = await client.role.findUniqueOrThrow({ where: { builtInKey: key }, select: { id: true } });
  return role.id;
}

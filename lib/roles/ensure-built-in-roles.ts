import { BUILT_IN_ROLE_KEYS, BUILT_IN_ROLES, type BuiltInRoleKey } from "../policy/built-in-roles.ts";
import { builtInGrantChange, builtInGrantRows } from "../apis/built-in-api.ts";
import { ensureBuiltInApi } from "../apis/ensure-built-in-api.ts";
import { newId } from "../crypto/ids.ts";
import type { Db } from "../db/client.ts";

/**
 * Built-in roles are defined in code (their permission rows come first: lib/apis/ensure-built-in-api.ts); this keeps their rows (which assignments point at) in step,
 * so a new version's change to a built-in role applies on the next start. Idempotent.
 */
export async function ensureBuiltInRoles(client: Db): Promise<void> {
  await ensureBuiltInApi(client);
  for (const key of BUILT_IN_ROLE_KEYS) {
    const role = BUILT_IN_ROLES[key];
    const { id } = await client.role.upsert({
      where: { builtInKey: key },
      create: {
        id: newId("rol"),
        builtInKey: key,
        name: role.name,
        description: role.description,
        grants: { create: builtInGrantRows(role.permissions) },
      },
      update: { name: role.name, description: role.description },
      select: { id: true },
    });
    const change = builtInGrantChange(role.permissions);
    await client.rolePermission.deleteMany({ where: { roleId: id, ...change.remove } });
    await client.rolePermission.createMany({
      data: change.add.map((permissionId) => ({ roleId: id, permissionId })),
      skipDuplicates: true,
    });
  }
}

export async function builtInRoleId(client: Pick<Db, "role">, key: BuiltInRoleKey): Promise<string> {
  const role = await client.role.findUniqueOrThrow({ where: { builtInKey: key }, select: { id: true } });
  return role.id;
}

import { getConfig } from "../config/env.ts";
import type { Db } from "../db/client.ts";
import { PERMISSION_DESCRIPTIONS, PERMISSIONS } from "../policy/permissions.ts";
import { BUILT_IN_API_ID, BUILT_IN_API_NAME, builtInPermissionId } from "./built-in-api.ts";

/**
 * Keeps the built-in API's row in step with this deployment and version on every start: its
 * identifier is `$KEYWARD_URL/api/v1` (the audience of tokens for Keyward's own API) and its
 * permissions are the catalog typed in code. Rows for keys the code no longer defines are kept:
 * grants that hold them are reported, not erased. Idempotent.
 */
export async function ensureBuiltInApi(client: Db): Promise<void> {
  const identifier = getConfig().apiAudience;
  const description = "Keyward's own REST API (/api/v1): users, roles, tokens, clients, audit and settings.";
  await client.api.upsert({
    where: { id: BUILT_IN_API_ID },
    create: { id: BUILT_IN_API_ID, builtInKey: "keyward", name: BUILT_IN_API_NAME, identifier, description },
    update: { builtInKey: "keyward", name: BUILT_IN_API_NAME, identifier, description },
  });
  for (const name of PERMISSIONS) {
    const row = { name, description: PERMISSION_DESCRIPTIONS[name], deprecatedAt: null };
    await client.apiPermission.upsert({
      where: { id: builtInPermissionId(name) },
      create: { id: builtInPermissionId(name), apiId: BUILT_IN_API_ID, ...row },
      update: row,
    });
  }
}

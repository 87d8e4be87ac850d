import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { cursorPage } from "../db/cursor-page.ts";
import { credentialApi } from "./access.ts";
import type { ListResourceServerCredentialsInput } from "./resource-server-schemas.ts";

export type ResourceServerCredentialView = {
  id: string;
  clientId: string;
  apiId: string;
  name: string;
  status: "active" | "revoked";
  createdById: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** The secrets that work now (more than one during a rotation overlap), newest first. */
  secrets: { id: string; fragment: string; createdAt: Date; expiresAt: Date | null }[];
};

/** An API's resource-server credentials, newest first: apis.read, apis.write or the API's owner. */
export async function listResourceServerCredentials(
  actor: Principal,
  apiId: string,
  input: ListResourceServerCredentialsInput,
): Promise<{ items: ResourceServerCredentialView[]; nextCursor: string | null }> {
  const api = await credentialApi(db, actor, apiId, "read");
  const now = new Date();
  const rows = await db.resourceServerCredential.findMany({
    where: { apiId: api.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.after ? { cursor: { id: input.after }, skip: 1 } : {}),
    include: {
      secrets: {
        where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        orderBy: { createdAt: "desc" },
        select: { id: true, fragment: true, createdAt: true, expiresAt: true },
      },
    },
  });
  return cursorPage(rows, input.limit, (row) => ({
    id: row.id,
    clientId: row.clientId,
    apiId: row.apiId,
    name: row.name,
    status: row.revokedAt ? "revoked" : "active",
    createdById: row.createdById,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    secrets: row.secrets,
  }));
}

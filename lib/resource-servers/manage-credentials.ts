import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { retireSecrets } from "../credentials/secret-rotation.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";
import { newStoredSecret } from "../tokens/token-secrets.ts";
import { credentialApi } from "./access.ts";
import type {
  CreateResourceServerCredentialInput,
  RotateResourceServerSecretInput,
} from "./resource-server-schemas.ts";

type Ref = { actor: Principal; apiId: string; credentialId: string; context: RequestContext };

/** What a creation or rotation hands back, once: the secret is never stored, only its hash. */
export type IssuedResourceServerSecret = {
  credentialId: string;
  clientId: string;
  clientSecret: string;
  oldSecretExpiresAt: Date | null;
};

const target = (credential: { id: string; name: string }) => ({
  kind: "resource_server_credential",
  id: credential.id,
  display: credential.name,
});

/**
 * A new resource-server credential for an API, its secret shown once: for a signed-in person under
 * step-up who owns the API or holds apis.write. A bearer credential never makes one (no laundering).
 */
export async function createResourceServerCredential(
  input: CreateResourceServerCredentialInput & { actor: Principal; apiId: string; context: RequestContext },
): Promise<IssuedResourceServerSecret> {
  const actor = await assertFreshSession(input.actor);
  return db.$transaction(async (tx) => {
    const api = await credentialApi(tx, actor, input.apiId, "write");
    const id = newId("rs");
    const secret = newStoredSecret("resourceServerSecret");
    await tx.resourceServerCredential.create({
      data: {
        id,
        clientId: id,
        apiId: api.id,
        name: input.name,
        createdById: actor.userId,
        secrets: { create: secret.row },
      },
    });
    await recordAudit(tx, {
      action: "resource_server_credential.created",
      actor: auditActor(actor),
      target: target({ id, name: input.name }),
      context: input.context,
      details: { api: { id: api.id, name: api.name }, name: input.name, fragment: secret.row.fragment },
    });
    return { credentialId: id, clientId: id, clientSecret: secret.value, oldSecretExpiresAt: null };
  });
}

async function activeCredential(tx: Tx, apiId: string, credentialId: string) {
  // Scoped by API in the query: another API's credential is simply not found.
  const credential = await tx.resourceServerCredential.findFirst({ where: { id: credentialId, apiId } });
  if (!credential) throw NotFound("resource-server credential");
  return credential;
}

/** A new secret, shown once; the old ones keep working for the overlap (none by default). */
export async function rotateResourceServerSecret(
  input: Ref & RotateResourceServerSecretInput,
): Promise<IssuedResourceServerSecret> {
  const actor = await assertFreshSession(input.actor);
  return db.$transaction(async (tx) => {
    const api = await credentialApi(tx, actor, input.apiId, "write");
    const credential = await activeCredential(tx, api.id, input.credentialId);
    if (credential.revokedAt) throw Conflict("This credential is revoked: create a new one instead.");
    const now = new Date();
    const overlapEnds = await retireSecrets(
      tx.resourceServerSecret,
      { credentialId: credential.id },
      input.overlapMinutes,
      now,
    );
    const secret = newStoredSecret("resourceServerSecret");
    await tx.resourceServerSecret.create({
      data: { ...secret.row, credentialId: credential.id, createdAt: now },
    });
    await credentialsChanged(tx, [`rs:${credential.id}`]);
    await recordAudit(tx, {
      action: "resource_server_credential.rotated",
      actor: auditActor(actor),
      target: target(credential),
      context: input.context,
      details: {
        api: { id: api.id, name: api.name },
        overlapMinutes: input.overlapMinutes,
        oldSecretExpiresAt: overlapEnds?.toISOString() ?? now.toISOString(),
        fragment: secret.row.fragment,
      },
    });
    return {
      credentialId: credential.id,
      clientId: credential.clientId,
      clientSecret: secret.value,
      oldSecretExpiresAt: overlapEnds,
    };
  });
}

/**
 * Revoked at once: its next introspection answers 401 on every instance (the cache forgets tag
 * `rs:<id>` inside this transaction). Its secrets are deleted; the row stays for the history.
 * Revoking twice is a no-op.
 */
export async function revokeResourceServerCredential(input: Ref): Promise<void> {
  await assertRecentAuth(input.actor);
  await db.$transaction(async (tx) => {
    const api = await credentialApi(tx, input.actor, input.apiId, "write");
    const credential = await activeCredential(tx, api.id, input.credentialId);
    if (credential.revokedAt) return;
    await tx.resourceServerCredential.update({
      where: { id: credential.id },
      data: { revokedAt: new Date() },
    });
    await tx.resourceServerSecret.deleteMany({ where: { credentialId: credential.id } });
    await credentialsChanged(tx, [`rs:${credential.id}`]);
    await recordAudit(tx, {
      action: "resource_server_credential.revoked",
      actor: auditActor(input.actor),
      target: target(credential),
      context: input.context,
      details: { api: { id: api.id, name: api.name } },
    });
  });
}

import { errors, type Adapter, type AdapterPayload } from "oidc-provider";

import { resolveSession } from "../auth/sessions.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../db/generated/client.ts";
import { appClientMetadata } from "./client-metadata.ts";

/**
 * oidc-provider's storage in PostgreSQL (ADR 0012, "Storage"). One `OidcPayload` row per (model,
 * id). The ids of codes, refresh tokens, opaque access tokens, sessions and interactions are the
 * bearer values themselves, so rows are keyed by their SHA-256 and the stored payload never holds
 * the value (`jti`): `find(id)` puts it back from the id it was asked for. `findByUid` (sessions,
 * read by the provider only to check a session still stands) answers without it. Clients are
 * Keyward's applications, read from their own table and never written here.
 */
export class OidcAdapter implements Adapter {
  readonly model: string;

  constructor(model: string) {
    this.model = model;
  }

  private key(id: string) {
    return { model_idHash: { model: this.model, idHash: sha256Hex(id) } };
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    if (this.model === "Client") throw new TypeError("clients are applications: register them in Keyward");
    const { jti, ...rest } = payload;
    const kept: AdapterPayload = jti === id ? rest : { ...payload };
    // An interaction copies the provider session's id (its cookie's value) into `session.cookie`;
    // the library never reads it back (it matches sessions by uid), so it is not stored either.
    if (kept.session && typeof kept.session === "object" && "cookie" in kept.session) {
      const { cookie: _cookie, ...session } = kept.session as Record<string, unknown>;
      kept.session = session as AdapterPayload["session"];
    }
    const stored = kept as Prisma.InputJsonObject;
    const columns = {
      payload: stored,
      grantId: payload.grantId ?? null,
      uid: payload.uid ?? null,
      accountId: payload.accountId ?? null,
      clientId: payload.clientId ?? null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    };
    await db.oidcPayload.upsert({
      where: this.key(id),
      // Stamped by this instance's clock, as session auth times are: `prompt=login` compares them.
      create: { model: this.model, idHash: sha256Hex(id), ...columns, createdAt: new Date() },
      update: columns,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === "Client") return appClientMetadata(id);
    const row = await db.oidcPayload.findUnique({ where: this.key(id) });
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
    if (!(await this.standing(row))) return undefined;
    return {
      ...(row.payload as AdapterPayload),
      jti: id,
      ...(row.consumedAt ? { consumed: Math.floor(row.consumedAt.getTime() / 1000) } : {}),
    };
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await db.oidcPayload.findFirst({
      where: { model: this.model, uid, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    });
    return row && (await this.standing(row)) ? (row.payload as AdapterPayload) : undefined;
  }

  /**
   * Keyward's Session row is the SSO session (ADR 0012): a provider session with an account stands
   * only while the Keyward session it was bound to does (not revoked, idle or expired, its user
   * active and through any required enrollment). Signing out of Keyward thus ends it, and a
   * session never bound (the binding is written right after the sign-in) is none.
   */
  private async standing(row: { accountId: string | null; sessionId: string | null }): Promise<boolean> {
    if (this.model !== "Session" || !row.accountId) return true;
    if (!row.sessionId) return false;
    const principal = await resolveSession(row.sessionId);
    return principal !== null && principal.userId === row.accountId && !principal.mustEnrollMfa;
  }

  /** Device codes are not used (no device flow). */
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  /**
   * Marks a code or refresh token used, atomically: the provider's own reuse check reads, then
   * writes, so two concurrent redemptions would both pass it. The second one finds nothing left to
   * consume: its whole grant is revoked (reuse detection, RFC 9700 §4.14.2) and it is refused.
   */
  async consume(id: string): Promise<void> {
    const { count } = await db.oidcPayload.updateMany({
      where: { model: this.model, idHash: sha256Hex(id), consumedAt: null },
      data: { consumedAt: new Date() },
    });
    if (count === 1) return;
    const row = await db.oidcPayload.findUnique({
      where: this.key(id),
      select: { grantId: true, clientId: true, accountId: true },
    });
    if (row?.grantId) await revokeGrant(row.grantId);
    // Read back by the provider's middleware, which audits the reuse with the request's context.
    throw Object.assign(new errors.InvalidGrant("grant request is invalid"), {
      keywardReuse: { model: this.model, clientId: row?.clientId, accountId: row?.accountId },
    });
  }

  async destroy(id: string): Promise<void> {
    await db.oidcPayload.deleteMany({ where: { model: this.model, idHash: sha256Hex(id) } });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await db.oidcPayload.deleteMany({ where: { model: this.model, grantId } });
  }
}

/**
 * Binds the provider session of `uid` to the Keyward session its sign-in came from. The library
 * gives a session a new id (a new row, the old one destroyed first) at every resume, so every
 * interaction result Keyward gives carries its session and the resume binds again.
 */
export async function bindProviderSession(uid: string, sessionId: string): Promise<void> {
  await db.oidcPayload.updateMany({ where: { model: "Session", uid }, data: { sessionId } });
}

/** Everything a grant issued, and the grant itself, in one statement. */
export async function revokeGrant(grantId: string): Promise<void> {
  await db.oidcPayload.deleteMany({
    where: { OR: [{ grantId }, { model: "Grant", idHash: sha256Hex(grantId) }] },
  });
}

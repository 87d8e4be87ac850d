import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { manageableClient } from "../clients/manage-clients.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { db } from "../db/client.ts";
import { Conflict, Invalid } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { getSettings } from "../settings/settings.ts";
import { manageableToken } from "../tokens/token-access.ts";
import { assertMayManageApiScopes } from "../clients/manage-clients.ts";
import { noticeCredentialChange } from "./credential-notices.ts";

const DAY_MS = 86_400_000;

/**
 * A client secret's expiry set from the overview lies within this many days: long enough for any
 * planned rotation, short enough that "set an expiry" is not "never" in disguise. (Client secrets
 * have no lifetime cap in Settings; tokens use `tokenMaxLifetimeDays`.)
 */
export const MAX_CLIENT_SECRET_EXPIRY_DAYS = 365;

const field = (message: string) => Invalid(message, [{ path: "expiresAt", message }]);
const day = (at: Date) => at.toISOString().slice(0, 10);

function assertFuture(expiresAt: Date, now: Date, maxDays: number, cap: string): void {
  if (expiresAt.getTime() <= now.getTime()) throw field("Choose an expiry in the future.");
  // A whole day of slack, as when minting: "90 days" typed as a date may end late on the 90th day.
  if (expiresAt.getTime() - now.getTime() > (maxDays + 1) * DAY_MS) {
    throw field(`Choose an expiry at most ${maxDays} days from now (${cap}).`);
  }
}

/**
 * Gives a personal token an expiry, or an earlier one (issue 17, "set an expiry"): in the future,
 * within the token lifetime cap of Settings, and never later than the one it has (that would be
 * renewal, which is minting). Who may: as for revoking (its owner, the token itself, holders of
 * tokens.write), with step-up for a session: it changes how long a credential may act. It takes
 * effect on the next request, here and on every instance.
 */
export async function setTokenExpiry(input: {
  actor: Principal;
  tokenId: string;
  expiresAt: Date;
  context: RequestContext;
}): Promise<{ expiresAt: Date; previous: Date | null }> {
  await assertRecentAuth(input.actor);
  const settings = await getSettings(db);
  const result = await db.$transaction(async (tx) => {
    const token = await manageableToken(tx, input.actor, input.tokenId);
    const now = new Date();
    if (token.revokedAt) throw Conflict("This token is revoked: it needs no expiry.");
    if (token.expiresAt && token.expiresAt <= now) throw Conflict("This token has already expired.");
    assertFuture(input.expiresAt, now, settings.tokenMaxLifetimeDays, "the token lifetime limit in Settings");
    if (token.expiresAt && input.expiresAt >= token.expiresAt) {
      throw field(
        `This token already expires on ${day(token.expiresAt)}: choose an earlier date (a later one would renew it; mint a new token instead).`,
      );
    }
    await tx.apiToken.update({ where: { id: token.id }, data: { expiresAt: input.expiresAt } });
    await credentialsChanged(tx, [`token:${token.id}`]);
    await recordAudit(tx, {
      action: "token.expiry_set",
      actor: auditActor(input.actor),
      target: { kind: "token", id: token.id, display: token.name },
      context: input.context,
      details: {
        before: { expiresAt: token.expiresAt?.toISOString() ?? null },
        after: { expiresAt: input.expiresAt.toISOString() },
        owner: { id: token.user.id, email: token.user.email },
      },
    });
    return { token, previous: token.expiresAt };
  });
  noticeCredentialChange({
    credential: { kind: "token", id: result.token.id, name: result.token.name },
    ownerId: result.token.userId,
    actor: input.actor,
    change: { change: "expiry_set", expiresAt: input.expiresAt },
    context: input.context,
  });
  return { expiresAt: input.expiresAt, previous: result.previous };
}

/**
 * Makes an API client's secrets that never expire (or expire later) stop at `expiresAt` (issue 17):
 * the owner rotates before then (a rotation adds a new secret with no expiry). Secrets that already
 * end sooner (a rotation's overlap) are left as they are. Under what `updateClient` requires:
 * step-up, clients.write, every scope the client holds, every API's.
 */
export async function setClientSecretExpiry(input: {
  actor: Principal;
  clientId: string;
  expiresAt: Date;
  context: RequestContext;
}): Promise<{ expiresAt: Date; secrets: number }> {
  await assertRecentAuth(input.actor);
  authorize(input.actor, "clients.write");
  await assertMayManageApiScopes(input.actor, input.clientId);
  const result = await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    const now = new Date();
    assertFuture(input.expiresAt, now, MAX_CLIENT_SECRET_EXPIRY_DAYS, "a year");
    const secrets = await tx.apiClientSecret.findMany({
      where: { clientId: client.id, OR: [{ expiresAt: null }, { expiresAt: { gt: input.expiresAt } }] },
      select: { id: true, fragment: true, expiresAt: true },
      orderBy: { createdAt: "asc" },
    });
    if (secrets.length === 0) {
      throw Conflict("Every secret of this client already stops working by then: there is nothing to set.");
    }
    await tx.apiClientSecret.updateMany({
      where: { id: { in: secrets.map((secret) => secret.id) } },
      data: { expiresAt: input.expiresAt },
    });
    await credentialsChanged(tx, [`client:${client.id}`]);
    await recordAudit(tx, {
      action: "client.secret_expiry_set",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
      details: {
        before: {
          secrets: secrets.map((secret) => ({
            fragment: secret.fragment,
            expiresAt: secret.expiresAt?.toISOString() ?? null,
          })),
        },
        after: { expiresAt: input.expiresAt.toISOString() },
        owner: client.owner ? { id: client.owner.id, email: client.owner.email } : null,
      },
    });
    return { client, secrets: secrets.length };
  });
  noticeCredentialChange({
    credential: { kind: "client", id: result.client.id, name: result.client.name },
    ownerId: result.client.ownerId,
    actor: input.actor,
    change: { change: "expiry_set", expiresAt: input.expiresAt },
    context: input.context,
  });
  return { expiresAt: input.expiresAt, secrets: result.secrets };
}

import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext } from "../auth/principal.ts";
import { hashPassword } from "../crypto/password.ts";
import { db } from "../db/client.ts";
import { Invalid, RateLimited } from "../errors/app-error.ts";
import { limiter } from "../limits/limiter.ts";
import { consumeCode } from "../one-time-codes/one-time-codes.ts";
import { assertAcceptablePassword } from "./password-policy.ts";

export const INVITATION_LIMIT = { name: "invitation_ip", points: 20, durationSeconds: 15 * 60 } as const;

const REASONS = {
  unknown: "This invitation link is not valid. Ask your administrator for a new one.",
  used: "This invitation link has already been used or was replaced by a newer one.",
  expired: "This invitation link has expired. Ask your administrator to send a new one.",
} as const;

/** The invitee chooses their password; the account becomes active. Returns the email to sign in with. */
export async function acceptInvitation(input: {
  code: string;
  password: string;
  context: RequestContext;
}): Promise<{ email: string }> {
  const limit = await limiter(INVITATION_LIMIT).consume(input.context.ip || "unknown");
  if (!limit.allowed) throw RateLimited(limit.retryAfterSeconds);

  const outcome = await db.$transaction(async (tx) => {
    const consumed = await consumeCode(tx, { purpose: "invitation", code: input.code, format: "link" });
    if (!consumed.ok) return { error: consumed.reason } as const;
    const user = await tx.user.findUnique({ where: { id: consumed.userId ?? "" } });
    if (!user || user.status !== "invited") return { error: "used" } as const;
    // Checked inside: a refused password rolls back the consumption, so the link still works.
    assertAcceptablePassword(input.password, { email: user.email });
    const hash = await hashPassword(input.password);
    await tx.passwordCredential.create({ data: { userId: user.id, hash } });
    await tx.user.update({ where: { id: user.id }, data: { status: "active" } });
    await recordAudit(tx, {
      action: "user.invitation_accepted",
      actor: { kind: "user", id: user.id, display: user.email },
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
    });
    return { email: user.email } as const;
  });
  if (outcome.email !== undefined) return { email: outcome.email };
  await recordAuditFailure({
    action: "user.invitation_accepted",
    actor: { kind: "anonymous" },
    context: input.context,
    details: { reason: outcome.error },
  });
  throw Invalid(REASONS[outcome.error], [{ path: "code", message: REASONS[outcome.error] }]);
}

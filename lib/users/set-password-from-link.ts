import type { AuditAction } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext } from "../auth/principal.ts";
import { hashPassword } from "../crypto/password.ts";
import { db, type Tx } from "../db/client.ts";
import type { OneTimeCodePurpose } from "../db/generated/enums.ts";
import { Invalid, RateLimited } from "../errors/app-error.ts";
import { limiter, type LimitSpec } from "../limits/limiter.ts";
import { consumeCode } from "../one-time-codes/one-time-codes.ts";
import { assertAcceptablePassword } from "./password-policy.ts";

type Account = { id: string; email: string };

/**
 * Choosing a password from a one-time link (an invitation, a password reset): the link is used up
 * and the password set in one transaction with its audit event; a password the policy refuses rolls
 * it all back, so the link still works for a second try. Bad links are limited per address and
 * recorded, with one message per reason.
 */
export async function setPasswordFromLink(input: {
  purpose: OneTimeCodePurpose;
  code: string;
  password: string;
  context: RequestContext;
  limit: LimitSpec;
  /** The status the account must have for the link to work. */
  status: "invited" | "active";
  reasons: Record<"unknown" | "used" | "expired", string>;
  action: AuditAction;
  /** The writes besides consuming the link; returns the audit event's details. */
  apply: (
    tx: Tx,
    account: Account,
    passwordHash: string,
    /** The address Keyward mailed the link to: null when it was shown to a person. */
    link: { sentTo: string | null },
  ) => Promise<Record<string, unknown> | undefined>;
}): Promise<{ email: string }> {
  const limit = await limiter(input.limit).consume(input.context.ip || "unknown");
  if (!limit.allowed) throw RateLimited(limit.retryAfterSeconds);

  const outcome = await db.$transaction(async (tx) => {
    const consumed = await consumeCode(tx, { purpose: input.purpose, code: input.code, format: "link" });
    if (!consumed.ok) return { error: consumed.reason } as const;
    const user = await tx.user.findUnique({ where: { id: consumed.userId ?? "" } });
    if (!user || user.status !== input.status) return { error: "used" } as const;
    assertAcceptablePassword(input.password, { email: user.email });
    const details = await input.apply(tx, user, await hashPassword(input.password), consumed);
    const account = { kind: "user", id: user.id, display: user.email } as const;
    await recordAudit(tx, {
      action: input.action,
      actor: account,
      target: account,
      context: input.context,
      details,
    });
    return { email: user.email } as const;
  });
  if (outcome.email !== undefined) return { email: outcome.email };
  await recordAuditFailure({
    action: input.action,
    actor: { kind: "anonymous" },
    context: input.context,
    details: { reason: outcome.error },
  });
  const message = input.reasons[outcome.error];
  throw Invalid(message, [{ path: "code", message }]);
}

import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { Conflict, Invalid, RateLimited } from "../errors/app-error.ts";
import { limiter } from "../limits/limiter.ts";
import { consumeCode } from "../one-time-codes/one-time-codes.ts";
import { assertAcceptablePassword } from "../users/password-policy.ts";
import { createFirstAdmin } from "./create-first-admin.ts";
import type { SetupInput } from "./schemas.ts";

/** 60-bit codes are out of reach at this rate; the limit also keeps the log quiet. */
export const SETUP_LIMIT = { name: "setup_ip", points: 10, durationSeconds: 15 * 60 } as const;

const CODE_MESSAGES = {
  unknown: "That setup code is not valid. Use the latest code printed in the server log.",
  used: "That setup code has already been used.",
  expired: "That setup code has expired. Restart Keyward to print a new one.",
} as const;

export async function completeSetup(
  input: SetupInput & { context: RequestContext },
): Promise<{ userId: string }> {
  const limit = await limiter(SETUP_LIMIT).consume(input.context.ip || "unknown");
  if (!limit.allowed) throw RateLimited(limit.retryAfterSeconds, "Too many setup attempts. Try again later.");
  assertAcceptablePassword(input.password, { email: input.email });

  const outcome = await db.$transaction(async (tx) => {
    const consumed = await consumeCode(tx, { purpose: "setup", code: input.code, format: "typed" });
    if (!consumed.ok) return { error: consumed.reason } as const;
    const user = await createFirstAdmin(tx, {
      email: input.email,
      name: input.name,
      password: input.password,
      actor: { kind: "anonymous", display: input.email },
      context: input.context,
      via: "setup_code",
    });
    return user ? ({ userId: user.id } as const) : ({ error: "closed" } as const);
  });

  if (outcome.userId !== undefined) return { userId: outcome.userId };
  if (outcome.error === "closed") throw Conflict("Setup is already complete. Sign in instead.");
  await recordAuditFailure({
    action: "setup.code_rejected",
    actor: { kind: "anonymous", display: input.email },
    context: input.context,
    details: { reason: outcome.error },
  });
  throw Invalid(CODE_MESSAGES[outcome.error], [{ path: "code", message: CODE_MESSAGES[outcome.error] }]);
}

import { recordAudit } from "../../audit/record-audit.ts";
import { db } from "../../db/client.ts";
import { Unauthenticated } from "../../errors/app-error.ts";
import type { RequestContext } from "../principal.ts";
import { countSignIn } from "../sign-in-counts.ts";
import { createSession } from "../sessions.ts";
import { hasSecondFactor } from "../../mfa/factors.ts";
import { findAttempt } from "./attempts.ts";
import { amrFor, missingSteps } from "./factors.ts";

/**
 * Exchanges a finished sign-in attempt for a session. The attempt is deleted first (single use:
 * of two concurrent exchanges only one finds it), then every required factor must have passed.
 */
export async function completeSignIn(input: {
  attemptToken: string;
  context: RequestContext;
}): Promise<{ userId: string; sessionId: string; expiresAt: Date }> {
  const done = await db.$transaction(async (tx) => {
    const attempt = await findAttempt(tx, input.attemptToken);
    if (!attempt) throw Unauthenticated("Your sign-in has expired. Start again.");
    const { count } = await tx.signInAttempt.deleteMany({ where: { id: attempt.id } });
    if (count !== 1 || attempt.expiresAt <= new Date())
      throw Unauthenticated("Your sign-in has expired. Start again.");

    const user = await tx.user.findUnique({ where: { id: attempt.userId } });
    if (!user || user.status !== "active") throw Unauthenticated("Your sign-in has expired. Start again.");
    const missing = missingSteps(attempt.factorsPassed, await hasSecondFactor(tx, user.id));
    if (missing.length > 0) throw Unauthenticated("Finish every sign-in step first.");

    const amr = amrFor(attempt.factorsPassed);
    const session = await createSession(tx, {
      userId: user.id,
      amr,
      mfa: amr.includes("mfa"),
      context: input.context,
    });
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
    await recordAudit(tx, {
      action: "auth.sign_in",
      actor: { kind: "user", id: user.id, display: user.email },
      target: { kind: "session", id: session.id },
      context: input.context,
      details: { amr },
    });
    return { userId: user.id, sessionId: session.id, expiresAt: session.expiresAt };
  });
  // Every completed sign-in (password, with or without a second factor, or a passkey alone) ends
  // here, once committed.
  countSignIn("sign_in", { ip: input.context.ip });
  return done;
}

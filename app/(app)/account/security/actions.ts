"use server";

import { z } from "zod";

import { endOtherSessions } from "@/lib/auth/end-other-sessions";
import { changePassword, changePasswordSchema } from "@/lib/users/change-password";
import { action } from "@/lib/http/action";
import { confirmTotpEnrollment, startTotpEnrollment } from "@/lib/mfa/enroll-totp";
import { removeFactor, regenerateRecoveryCodes, renameFactor } from "@/lib/mfa/manage-factors";
import {
  confirmTotpSchema,
  factorRefSchema,
  renameFactorSchema,
  startTotpSchema,
} from "@/lib/mfa/mfa-schemas";

// One's own factors need no permission ("self"), and stay reachable while enrollment is required.
// Each changes how the account proves itself, so each needs a recent sign-in (ASVS 7.5.1).
const self = { permission: "self", duringEnrollment: true, stepUp: true } as const;

export const startTotpAction = action({ ...self, schema: startTotpSchema }, async ({ principal, input }) => {
  const enrollment = await startTotpEnrollment({ actor: principal, name: input.name });
  return {
    message: "Scan the QR code with your authenticator app.",
    data: { factorId: enrollment.factorId, secret: enrollment.secret, qrSvg: enrollment.qrSvg },
  };
});

export const confirmTotpAction = action(
  { ...self, schema: confirmTotpSchema },
  async ({ principal, input, context }) => {
    const { recoveryCodes } = await confirmTotpEnrollment({ actor: principal, ...input, context });
    return { message: "Authenticator app added.", data: { recoveryCodes } };
  },
);

export const renameFactorAction = action(
  { ...self, stepUp: false, schema: renameFactorSchema },
  async ({ principal, input, context }) => {
    await renameFactor({ actor: principal, ...input, context });
    return { message: "Renamed." };
  },
);

export const removeFactorAction = action(
  { ...self, schema: factorRefSchema },
  async ({ principal, input, context }) => {
    await removeFactor({ actor: principal, factorId: input.factorId, context });
    return { message: "Factor removed." };
  },
);

export const regenerateRecoveryCodesAction = action(
  { ...self, schema: z.object({}) },
  async ({ principal, context }) => {
    const codes = await regenerateRecoveryCodes({ actor: principal, context });
    return {
      message: "New recovery codes created; the old ones no longer work.",
      data: { recoveryCodes: codes },
    };
  },
);

export const endOtherSessionsAction = action(
  { ...self, schema: z.object({}) },
  async ({ principal, context }) => {
    const ended = await endOtherSessions({ actor: principal, context });
    return {
      message:
        ended === 0
          ? "You had no other sessions."
          : `Signed out of ${ended} other session${ended === 1 ? "" : "s"}.`,
    };
  },
);

export const changePasswordAction = action(
  {
    permission: "self",
    stepUp: true,
    schema: changePasswordSchema,
    booleans: ["endOtherSessions", "revokeTokens"],
  },
  async ({ principal, input, context }) => {
    const { endedSessions, revokedTokens } = await changePassword({ ...input, actor: principal, context });
    const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    const effects = [
      ...(endedSessions > 0 ? [`signed out of ${plural(endedSessions, "other session")}`] : []),
      ...(revokedTokens > 0 ? [`revoked ${plural(revokedTokens, "personal token")}`] : []),
    ];
    return { message: effects.length > 0 ? `Password changed; ${effects.join("; ")}.` : "Password changed." };
  },
);

"use server";

import { z } from "zod";

import { endAllSessions } from "@/lib/auth/manage-sessions";
import { action } from "@/lib/http/action";
import { rotateSigningKey } from "@/lib/oauth/signing-keys";
import {
  auditSettingsSchema,
  credentialSettingsSchema,
  overviewSettingsSchema,
  securitySettingsSchema,
  updateAuditSettings,
  updateCredentialSettings,
  updateOverviewSettings,
  updateSecuritySettings,
} from "@/lib/settings/update-settings";

export const updateSecuritySettingsAction = action(
  {
    permission: "settings.write",
    stepUp: true,
    schema: securitySettingsSchema,
    booleans: ["mfaRequiredForAll"],
  },
  async ({ principal, input, context }) => {
    await updateSecuritySettings({ ...input, actor: principal, context });
    return { message: "Settings saved." };
  },
);

export const updateCredentialSettingsAction = action(
  {
    permission: "settings.write",
    stepUp: true,
    schema: credentialSettingsSchema,
    booleans: ["tokenAllowNoExpiry"],
  },
  async ({ principal, input, context }) => {
    await updateCredentialSettings({ ...input, actor: principal, context });
    return { message: "Settings saved." };
  },
);

export const rotateSigningKeyAction = action(
  { permission: "settings.write", stepUp: true, schema: z.object({}) },
  async ({ principal, context }) => {
    const { kids } = await rotateSigningKey({ actor: principal, context });
    return {
      message: `New signing keys are signing tokens now: RS256 ${kids.RS256.slice(0, 8)}… (ID tokens), ES256 ${kids.ES256.slice(0, 8)}… (access tokens).`,
    };
  },
);

export const endAllSessionsAction = action(
  { permission: "settings.write", stepUp: true, schema: z.object({}) },
  async ({ principal, context }) => {
    const ended = await endAllSessions({ actor: principal, context });
    return { message: `Signed out ${ended} session${ended === 1 ? "" : "s"}; yours stays.` };
  },
);

export const updateOverviewSettingsAction = action(
  { permission: "settings.write", stepUp: true, schema: overviewSettingsSchema },
  async ({ principal, input, context }) => {
    await updateOverviewSettings({ ...input, actor: principal, context });
    return { message: "Settings saved." };
  },
);

export const updateAuditSettingsAction = action(
  { permission: "settings.write", stepUp: true, schema: auditSettingsSchema },
  async ({ principal, input, context }) => {
    await updateAuditSettings({ ...input, actor: principal, context });
    return { message: "Settings saved." };
  },
);

"use server";

import { z } from "zod";

import {
  notificationPreferencesSchema,
  updateNotificationPreferences,
} from "@/lib/account/notification-preferences";
import { endSession } from "@/lib/auth/manage-sessions";
import { sessionRefSchema } from "@/lib/auth/session-schemas";
import { action } from "@/lib/http/action";
import { sendEmailVerification } from "@/lib/users/email-verification";

export const endMySessionAction = action(
  { permission: "self", stepUp: true, schema: sessionRefSchema },
  async ({ principal, input, context }) => {
    await endSession({ ...input, actor: principal, context });
    return { message: "Signed out of that session." };
  },
);

// A session only (every action's caller is one), without step-up: the link goes to the address the
// account already has, and using it changes nothing but whether that address counts as proven.
export const sendEmailVerificationAction = action(
  { permission: "self", schema: z.object({}) },
  async ({ principal, context }) => {
    const { email } = await sendEmailVerification({ actor: principal, context });
    return {
      message: `A verification link is on its way to ${email}. It works once, for 24 hours.`,
    };
  },
);

// No step-up: what Keyward mails to the account's own address changes no credential and nothing
// the account may do. The domain refuses failure alerts to those who may not receive them.
export const updateNotificationsAction = action(
  {
    permission: "self",
    schema: notificationPreferencesSchema,
    booleans: ["credentialDigest", "failureAlerts"],
  },
  async ({ principal, input, context }) => {
    await updateNotificationPreferences({ ...input, actor: principal, context });
    return { message: "Your notification choices are saved." };
  },
);

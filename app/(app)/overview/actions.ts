"use server";

import { action } from "@/lib/http/action";
import { acceptRisk, withdrawAcceptance } from "@/lib/remedies/accept-risk";
import { setClientSecretExpiry, setTokenExpiry } from "@/lib/remedies/expiry";
import { narrowClient, narrowToken } from "@/lib/remedies/narrow";
import { remindOwner } from "@/lib/remedies/remind-owner";
import {
  acceptRiskSchema,
  narrowClientSchema,
  narrowTokenSchema,
  remindOwnerSchema,
  setClientSecretExpirySchema,
  setTokenExpirySchema,
  withdrawAcceptanceSchema,
} from "@/lib/remedies/remedy-schemas";

// Thin adapters for the overview's remedies: lib/remedies authorizes each against the item (an
// owner or the write permission of its kind) and records it. Revoking a token, disabling a client
// or a user are the same actions as on their own pages (app/(app)/tokens, clients, users).

const expires = (at: Date) => at.toISOString().slice(0, 10);

export const narrowTokenAction = action(
  { permission: "self", stepUp: true, schema: narrowTokenSchema },
  async ({ principal, input, context }) => {
    const result = await narrowToken({ ...input, actor: principal, context });
    return { message: `Token narrowed: it keeps ${result.kept.join(", ")}.` };
  },
);

export const narrowClientAction = action(
  { permission: "clients.write", stepUp: true, schema: narrowClientSchema },
  async ({ principal, input, context }) => {
    const result = await narrowClient({ ...input, actor: principal, context });
    return { message: `Client narrowed: it keeps ${result.kept.join(", ")}.` };
  },
);

export const setTokenExpiryAction = action(
  { permission: "self", stepUp: true, schema: setTokenExpirySchema },
  async ({ principal, input, context }) => {
    await setTokenExpiry({ ...input, actor: principal, context });
    return { message: `The token now expires on ${expires(input.expiresAt)}.` };
  },
);

export const setClientSecretExpiryAction = action(
  { permission: "clients.write", stepUp: true, schema: setClientSecretExpirySchema },
  async ({ principal, input, context }) => {
    await setClientSecretExpiry({ ...input, actor: principal, context });
    return { message: `The client's secret now expires on ${expires(input.expiresAt)}.` };
  },
);

export const remindOwnerAction = action(
  { permission: "self", schema: remindOwnerSchema },
  async ({ principal, input, context }) => {
    await remindOwner({ ...input, actor: principal, context });
    return { message: "Reminder sent to the owner." };
  },
);

export const acceptRiskAction = action(
  { permission: "self", stepUp: true, schema: acceptRiskSchema },
  async ({ principal, input, context }) => {
    await acceptRisk({ ...input, actor: principal, context });
    return { message: `Risk accepted until ${expires(input.until)}: it comes back then.` };
  },
);

export const withdrawAcceptanceAction = action(
  { permission: "self", schema: withdrawAcceptanceSchema },
  async ({ principal, input, context }) => {
    await withdrawAcceptance({ ...input, actor: principal, context });
    return { message: "Acceptance withdrawn: the item is back on its list." };
  },
);

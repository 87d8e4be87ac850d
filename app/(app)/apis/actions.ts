"use server";

import {
  apiRefSchema,
  confirmQuerySchema,
  createApiSchema,
  updateApiSchema,
} from "@/lib/apis/api-schemas";
import { createApi, deleteApi, setApiDisabled, updateApi } from "@/lib/apis/manage-apis";
import { action } from "@/lib/http/action";

// Thin adapters: the wrapper parses with the REST routes' schemas; lib/apis authorizes (apis.write,
// or the API's owner for their own) and decides. Each changes what credentials may do: step-up.

const editApiSchema = updateApiSchema.extend(apiRefSchema.shape);
const confirmedApiSchema = apiRefSchema.extend(confirmQuerySchema.shape);

export const createApiAction = action(
  { permission: "apis.write", stepUp: true, schema: createApiSchema, booleans: ["allowPersonalTokens"] },
  async ({ principal, input, context }) => {
    const { id } = await createApi({ actor: principal, input, context });
    return { message: `API "${input.name}" registered.`, redirectTo: `/apis/${id}?created=1` };
  },
);

export const updateApiAction = action(
  { permission: "self", stepUp: true, schema: editApiSchema, booleans: ["allowPersonalTokens"] },
  async ({ principal, input: { apiId, ...input }, context }) => {
    await updateApi({ actor: principal, id: apiId, input, context });
    return { message: "API saved." };
  },
);

export const disableApiAction = action(
  { permission: "self", stepUp: true, schema: apiRefSchema },
  async ({ principal, input, context }) => {
    await setApiDisabled({ actor: principal, id: input.apiId, disabled: true, context });
    return { message: "API disabled: no tokens are issued for it, and issued ones stop working there." };
  },
);

export const enableApiAction = action(
  { permission: "self", stepUp: true, schema: apiRefSchema },
  async ({ principal, input, context }) => {
    await setApiDisabled({ actor: principal, id: input.apiId, disabled: false, context });
    return { message: "API enabled." };
  },
);

export const deleteApiAction = action(
  { permission: "self", stepUp: true, schema: confirmedApiSchema },
  async ({ principal, input, context }) => {
    await deleteApi({ actor: principal, id: input.apiId, confirm: input.confirm, context });
    return { message: "API deleted.", redirectTo: "/apis" };
  },
);

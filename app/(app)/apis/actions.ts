"use server";

import {
  addPermissionSchema,
  apiPermissionRefSchema,
  apiRefSchema,
  confirmQuerySchema,
  createApiSchema,
  updateApiSchema,
  updatePermissionSchema,
} from "@/lib/apis/api-schemas";
import { addPermission, removePermission, updatePermission } from "@/lib/apis/api-permissions";
import { createApi, deleteApi, setApiDisabled, updateApi } from "@/lib/apis/manage-apis";
import { action } from "@/lib/http/action";

// Thin adapters: the wrapper parses with the REST routes' schemas; lib/apis authorizes (apis.write,
// or the API's owner for their own) and decides. Each changes what credentials may do: step-up.

const editApiSchema = updateApiSchema.extend(apiRefSchema.shape);
const confirmedApiSchema = apiRefSchema.extend(confirmQuerySchema.shape);
const newPermissionSchema = addPermissionSchema.extend(apiRefSchema.shape);
const editPermissionSchema = updatePermissionSchema.extend(apiPermissionRefSchema.shape);
const confirmedPermissionSchema = apiPermissionRefSchema.extend(confirmQuerySchema.shape);

/** The API form's checkboxes: an unticked one is false. */
const API_BOOLEANS = ["allowPersonalTokens", "requireDpop"];

export const createApiAction = action(
  { permission: "apis.write", stepUp: true, schema: createApiSchema, booleans: API_BOOLEANS },
  async ({ principal, input, context }) => {
    const { id } = await createApi({ actor: principal, input, context });
    return { message: `API "${input.name}" registered.`, redirectTo: `/apis/${id}?created=1` };
  },
);

export const updateApiAction = action(
  { permission: "self", stepUp: true, schema: editApiSchema, booleans: API_BOOLEANS },
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

export const addPermissionAction = action(
  { permission: "self", stepUp: true, schema: newPermissionSchema },
  async ({ principal, input: { apiId, ...input }, context }) => {
    await addPermission({ actor: principal, apiId, input, context });
    return { message: `Permission ${input.name} added.` };
  },
);

/** Deprecate (no new grants, existing ones flagged) or restore: the form says which. */
export const setPermissionDeprecatedAction = action(
  { permission: "self", stepUp: true, schema: editPermissionSchema, booleans: ["deprecated"] },
  async ({ principal, input: { apiId, permissionId, ...input }, context }) => {
    await updatePermission({ actor: principal, apiId, permissionId, input, context });
    return {
      message: input.deprecated
        ? "Permission deprecated: it takes no new grants, and existing ones are flagged."
        : "Permission restored.",
    };
  },
);

export const removePermissionAction = action(
  { permission: "self", stepUp: true, schema: confirmedPermissionSchema },
  async ({ principal, input, context }) => {
    await removePermission({ actor: principal, ...input, context });
    return { message: "Permission removed." };
  },
);

"use server";

import type { AppSecretShown } from "@/components/apps/app-secret";
import { catalogAction } from "@/lib/apis/catalog-action";
import {
  appRefSchema,
  createAppSchema,
  rotateAppSecretSchema,
  updateAppBodySchema,
} from "@/lib/apps/app-schemas";
import { createApp, deleteApp, rotateAppSecret, setAppDisabled, updateApp } from "@/lib/apps/manage-apps";
import { action } from "@/lib/http/action";

// Thin adapters: the wrapper authorizes (apps.write) and parses with the REST routes' schemas;
// lib/apps decides. Every one changes who may sign in or what an app may ask for: step-up.

const APP_FORM = {
  booleans: ["firstParty", "restrictedToRoles", "refreshTokens", "requireDpop"],
  arrays: ["signInRoleIds", "apiPermissionIds"],
  lines: ["redirectUris", "postLogoutRedirectUris"],
};

const SECRET_NOTE = "Copy the secret now: Keyward keeps only a hash and cannot show it again.";

export const createAppAction = action(
  { permission: "apps.write", stepUp: true, schema: createAppSchema, ...APP_FORM },
  async ({ principal, input, context }) => {
    const app = await createApp({ actor: principal, input, context });
    const data: AppSecretShown = {
      appId: app.id,
      clientId: app.clientId,
      secret: app.clientSecret,
      note: app.clientSecret
        ? SECRET_NOTE
        : "A public app has no secret: it proves itself with PKCE on every sign-in.",
    };
    return { message: `Application "${input.name}" registered.`, data };
  },
);

const editSchema = updateAppBodySchema.extend(appRefSchema.shape);

export const updateAppAction = action(
  { permission: "apps.write", stepUp: true, schema: editSchema, ...APP_FORM },
  async ({ principal, input: { appId, ...input }, context }) => {
    await updateApp({ actor: principal, id: appId, input, context });
    return { message: "Application saved." };
  },
);

export const rotateAppSecretAction = action(
  { permission: "apps.write", stepUp: true, schema: rotateAppSecretSchema.extend(appRefSchema.shape) },
  async ({ principal, input, context }) => {
    const rotated = await rotateAppSecret({ actor: principal, id: input.appId, ...input, context });
    const data: AppSecretShown = {
      appId: input.appId,
      clientId: input.appId,
      secret: rotated.clientSecret,
      note: rotated.oldSecretExpiresAt
        ? `${SECRET_NOTE} The previous secret keeps working until ${rotated.oldSecretExpiresAt.toISOString()}.`
        : `${SECRET_NOTE} The previous secret stopped working now.`,
    };
    return { message: "Client secret rotated.", data };
  },
);

export const disableAppAction = action(
  { permission: "apps.write", stepUp: true, schema: appRefSchema },
  async ({ principal, input, context }) => {
    await setAppDisabled({ actor: principal, id: input.appId, disabled: true, context });
    return { message: "Application disabled: it signs nobody in." };
  },
);

export const enableAppAction = action(
  { permission: "apps.write", stepUp: true, schema: appRefSchema },
  async ({ principal, input, context }) => {
    await setAppDisabled({ actor: principal, id: input.appId, disabled: false, context });
    return { message: "Application enabled." };
  },
);

export const deleteAppAction = action(
  { permission: "apps.write", stepUp: true, schema: appRefSchema },
  async ({ principal, input, context }) => {
    await deleteApp({ actor: principal, id: input.appId, context });
    return { message: "Application deleted.", redirectTo: "/apps" };
  },
);

/** The app form's API permission picker: a page of the catalog, searched (a read, no re-render). */
export const appCatalogAction = catalogAction("apps.write");

"use server";

import type { ClientSecretShown } from "@/components/credentials/secret-panel";
import {
  acceptClientSchema,
  clientRefSchema,
  createClientSchema,
  reassignClientSchema,
  rotateClientSecretSchema,
  updateClientSchema,
} from "@/lib/clients/client-schemas";
import {
  createClient,
  deleteClient,
  rotateClientSecret,
  setClientEnabled,
  updateClient,
} from "@/lib/clients/manage-clients";
import {
  acceptClientReassignment,
  declineClientReassignment,
  reassignClient,
} from "@/lib/clients/reassign-client";
import { catalogAction } from "@/lib/apis/catalog-action";
import { getConfig } from "@/lib/config/env";
import { action } from "@/lib/http/action";

// Thin adapters: the wrapper authorizes and parses; lib/clients decides everything else.

const CLIENT_ARRAYS = ["scopes", "apiPermissionIds"];

const example = (clientId: string, secret: string) =>
  `curl -u '${clientId}:${secret}' -d grant_type=client_credentials ${getConfig().issuer}/api/oauth/token`;

export const createClientAction = action(
  {
    permission: "clients.write",
    stepUp: true,
    schema: createClientSchema,
    arrays: CLIENT_ARRAYS,
    booleans: ["requireDpop"],
  },
  async ({ principal, input, context }) => {
    const created = await createClient({ ...input, actor: principal, context });
    const data: ClientSecretShown = {
      clientId: created.clientId,
      secret: created.clientSecret,
      name: input.name,
      example: example(created.clientId, created.clientSecret),
      note: "Copy the secret now: Keyward keeps only a hash and cannot show it again.",
    };
    return { message: `Client "${input.name}" registered.`, data };
  },
);

export const updateClientAction = action(
  {
    permission: "clients.write",
    stepUp: true,
    schema: updateClientSchema,
    arrays: CLIENT_ARRAYS,
    booleans: ["requireDpop"],
  },
  async ({ principal, input, context }) => {
    await updateClient({ ...input, actor: principal, context });
    return { message: "Client saved." };
  },
);

export const rotateClientSecretAction = action(
  { permission: "clients.write", stepUp: true, schema: rotateClientSecretSchema },
  async ({ principal, input, context }) => {
    const rotated = await rotateClientSecret({ ...input, actor: principal, context });
    const data: ClientSecretShown = {
      clientId: input.clientId,
      secret: rotated.clientSecret,
      name: "New client secret",
      example: example(input.clientId, rotated.clientSecret),
      note: rotated.oldSecretExpiresAt
        ? `The previous secret keeps working until ${rotated.oldSecretExpiresAt.toISOString()}.`
        : "The previous secret stopped working now.",
    };
    return { message: "Client secret rotated.", data };
  },
);

export const disableClientAction = action(
  { permission: "clients.write", stepUp: true, schema: clientRefSchema },
  async ({ principal, input, context }) => {
    await setClientEnabled({ ...input, enabled: false, actor: principal, context });
    return { message: "Client disabled: its tokens stopped working." };
  },
);

export const enableClientAction = action(
  { permission: "clients.write", schema: clientRefSchema },
  async ({ principal, input, context }) => {
    await setClientEnabled({ ...input, enabled: true, actor: principal, context });
    return { message: "Client enabled." };
  },
);

export const reassignClientAction = action(
  { permission: "clients.write", stepUp: true, schema: reassignClientSchema },
  async ({ principal, input, context }) => {
    await reassignClient({ ...input, actor: principal, context });
    return {
      message: `Proposed to ${input.owner}: the client becomes theirs when they accept it on their API clients page. Until then nothing changes.`,
    };
  },
);

export const acceptClientReassignmentAction = action(
  { permission: "clients.write", stepUp: true, schema: acceptClientSchema },
  async ({ principal, input, context }) => {
    const accepted = await acceptClientReassignment({ ...input, actor: principal, context });
    const data: ClientSecretShown = {
      clientId: input.clientId,
      secret: accepted.clientSecret,
      name: "Your client secret",
      example: example(input.clientId, accepted.clientSecret),
      note: accepted.oldSecretExpiresAt
        ? `The previous secret keeps working until ${accepted.oldSecretExpiresAt.toISOString()}: switch its deployments over before then.`
        : "The previous secret stopped working now.",
    };
    return { message: "The client is yours now.", data };
  },
);

export const declineClientReassignmentAction = action(
  { permission: "self", schema: clientRefSchema },
  async ({ principal, input, context }) => {
    await declineClientReassignment({ ...input, actor: principal, context });
    return { message: "Declined: the client stays with its owner." };
  },
);

export const deleteClientAction = action(
  { permission: "clients.write", stepUp: true, schema: clientRefSchema },
  async ({ principal, input, context }) => {
    await deleteClient({ ...input, actor: principal, context });
    return { message: "Client deleted.", redirectTo: "/clients" };
  },
);

/** The client form's API permission picker: a page of the catalog, searched (a read, no re-render). */
export const clientCatalogAction = catalogAction("clients.write");

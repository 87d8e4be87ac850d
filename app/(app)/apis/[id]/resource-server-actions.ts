"use server";

import type { ResourceServerSecretShown } from "@/components/apis/resource-server-credentials";
import { getConfig } from "@/lib/config/env";
import { action } from "@/lib/http/action";
import {
  createResourceServerCredential,
  revokeResourceServerCredential,
  rotateResourceServerSecret,
} from "@/lib/resource-servers/manage-credentials";
import {
  createResourceServerCredentialFormSchema,
  resourceServerCredentialFormSchema,
  rotateResourceServerSecretFormSchema,
} from "@/lib/resource-servers/resource-server-schemas";

// Thin adapters: "self" because an API's owner needs no permission for their own API's
// credentials; lib/resource-servers decides (owner or apis.write, fresh step-up for secrets).

const example = (clientId: string, secret: string) =>
  `curl -u '${clientId}:${secret}' -d token=THE_TOKEN ${getConfig().issuer}/api/oauth/introspect`;

export const createResourceServerCredentialAction = action(
  { permission: "self", stepUp: true, schema: createResourceServerCredentialFormSchema },
  async ({ principal, input, context }) => {
    const created = await createResourceServerCredential({ ...input, actor: principal, context });
    const data: ResourceServerSecretShown = {
      clientId: created.clientId,
      secret: created.clientSecret,
      example: example(created.clientId, created.clientSecret),
      note: "Copy the secret now: Keyward keeps only a hash and cannot show it again.",
    };
    return { message: `Resource-server credential "${input.name}" created.`, data };
  },
);

export const rotateResourceServerSecretAction = action(
  { permission: "self", stepUp: true, schema: rotateResourceServerSecretFormSchema },
  async ({ principal, input, context }) => {
    const rotated = await rotateResourceServerSecret({ ...input, actor: principal, context });
    const data: ResourceServerSecretShown = {
      clientId: rotated.clientId,
      secret: rotated.clientSecret,
      example: example(rotated.clientId, rotated.clientSecret),
      note: rotated.oldSecretExpiresAt
        ? `The previous secret keeps working until ${rotated.oldSecretExpiresAt.toISOString()}.`
        : "The previous secret stopped working now.",
    };
    return { message: "Secret rotated.", data };
  },
);

export const revokeResourceServerCredentialAction = action(
  { permission: "self", stepUp: true, schema: resourceServerCredentialFormSchema },
  async ({ principal, input, context }) => {
    await revokeResourceServerCredential({ ...input, actor: principal, context });
    return { message: "Credential revoked: its next introspection is refused." };
  },
);

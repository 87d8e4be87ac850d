"use server";

import type { ShownSecret } from "@/components/credentials/secret-panel";
import { catalogAction } from "@/lib/apis/catalog-action";
import { getConfig } from "@/lib/config/env";
import { action } from "@/lib/http/action";
import { revokeToken, rotateToken } from "@/lib/tokens/manage-tokens";
import { mintToken } from "@/lib/tokens/mint-token";
import { TOKEN_CATALOG } from "@/lib/tokens/token-catalog";
import { mintTokenSchema, rotateTokenSchema, tokenRefSchema } from "@/lib/tokens/token-schemas";

// Thin adapters: the wrapper authorizes and parses; lib/tokens decides everything else.

const example = (token: string) => `curl -H "Authorization: Bearer ${token}" ${getConfig().issuer}/api/v1/me`;

export const mintTokenAction = action(
  {
    permission: "tokens.create",
    stepUp: true,
    schema: mintTokenSchema,
    arrays: ["scopes", "apiPermissionIds"],
  },
  async ({ principal, input, context }) => {
    const minted = await mintToken({ ...input, actor: principal, context });
    const data: ShownSecret = {
      secret: minted.token,
      name: minted.name,
      example: example(minted.token),
      note: "Copy it now: Keyward keeps only a hash and cannot show it again.",
    };
    return { message: `Token "${minted.name}" created.`, data };
  },
);

export const rotateTokenAction = action(
  { permission: "self", stepUp: true, schema: rotateTokenSchema },
  async ({ principal, input, context }) => {
    const rotated = await rotateToken({ ...input, actor: principal, context });
    const data: ShownSecret = {
      secret: rotated.token,
      name: "New secret",
      example: example(rotated.token),
      note: rotated.oldSecretExpiresAt
        ? `The previous secret keeps working until ${rotated.oldSecretExpiresAt.toISOString()}.`
        : "The previous secret stopped working now.",
    };
    return { message: "Token rotated.", data };
  },
);

export const revokeTokenAction = action(
  { permission: "self", schema: tokenRefSchema },
  async ({ principal, input, context }) => {
    await revokeToken({ ...input, actor: principal, context });
    return { message: "Token revoked: it stopped working now." };
  },
);

/** The mint form's API permission picker: a page of the catalog, searched (a read, no re-render). */
export const tokenCatalogAction = catalogAction("tokens.create", TOKEN_CATALOG);

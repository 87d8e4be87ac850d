import type { IncomingMessage, ServerResponse } from "node:http";

import type { InteractionResults } from "oidc-provider";

import { appForSignIn, userMaySignInTo, type AppForSignIn } from "../apps/sign-in-policy.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { getConfig } from "../config/env.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { db } from "../db/client.ts";
import { acrFor, satisfiesAcr } from "./acr.ts";
import { currentProvider } from "./mount.ts";

/**
 * Keyward's side of the provider's interactions (ADR 0012, "Interactions and the SSO session"):
 * app/interaction/<uid> decides, from the interaction and Keyward's own session, what the browser
 * meets next. Next's handlers have no Node request, so the provider reads its interaction cookie
 * from a request shim holding the cookies alone; Keyward answers the redirect itself.
 */
export type Interaction = {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  /** When the app's request began (the interaction's creation, to the ms), for `prompt=login`. */
  startedAt: Date;
  /** The grant a consent adds to, when the app has one from an earlier consent. */
  grantId: string | undefined;
  /** The account the provider session has signed in, once past the login prompt. */
  accountId: string | undefined;
  app: AppForSignIn;
};

function shim(uid: string, cookie: string): [IncomingMessage, ServerResponse] {
  const url = getConfig().publicUrl;
  const req = {
    method: "GET",
    url: `/interaction/${uid}`,
    headers: { cookie, host: url.host, "x-forwarded-proto": url.protocol.replace(":", "") },
    socket: { encrypted: false, remoteAddress: "" },
  };
  return [req as unknown as IncomingMessage, {} as ServerResponse];
}

/**
 * The interaction `uid` names, if this browser holds its cookie and it has not expired; null
 * otherwise (a link opened elsewhere, an expired or finished sign-in, an app since disabled).
 */
export async function readInteraction(uid: string, cookie: string): Promise<Interaction | null> {
  const provider = await currentProvider();
  let details;
  try {
    details = await provider.interactionDetails(...shim(uid, cookie));
  } catch {
    return null;
  }
  if (details.uid !== uid) return null;
  const app = await appForSignIn(String(details.params.client_id ?? ""));
  if (!app) return null;
  const lifetime = 600;
  // To the millisecond (the adapter stamps each row when it is first written): the interaction's
  // own `iat` is in whole seconds, and a sign-in earlier in the same second is not a fresh one.
  const stored = await db.oidcPayload.findUnique({
    where: { model_idHash: { model: "Interaction", idHash: sha256Hex(uid) } },
    select: { createdAt: true },
  });
  return {
    uid,
    prompt: {
      name: details.prompt.name,
      reasons: [...details.prompt.reasons],
      details: details.prompt.details as Record<string, unknown>,
    },
    params: details.params as Record<string, unknown>,
    startedAt:
      stored?.createdAt ?? new Date(((details.iat as number | undefined) ?? details.exp - lifetime) * 1000),
    grantId: details.grantId,
    accountId: details.session?.accountId,
    app,
  };
}

/** Records the interaction's outcome; returns where the browser goes back to the provider. */
export async function finishInteraction(
  uid: string,
  cookie: string,
  result: InteractionResults,
): Promise<string> {
  const provider = await currentProvider();
  return provider.interactionResult(...shim(uid, cookie), result, { mergeWithLastSubmission: true });
}

export type Step =
  | { kind: "sign_in" }
  | { kind: "enroll" }
  | { kind: "denied" }
  | { kind: "confirm"; reason: "login" | "max_age" | "acr" }
  | { kind: "consent" }
  | { kind: "finish"; result: InteractionResults };

/**
 * What a login prompt needs from a Keyward session (issue 15 §4): a sign-in at all, the enrollment
 * a role requires, access to the app, and a fresh or stronger proof when the app asks with
 * `prompt=login`, `max_age` or `acr_values`. Fresh means after the app's request began.
 */
export async function loginStep(
  interaction: Interaction,
  principal: UserPrincipal | null,
  now = new Date(),
): Promise<Step> {
  if (!principal) return { kind: "sign_in" };
  if (principal.mustEnrollMfa) return { kind: "enroll" };
  if (!(await userMaySignInTo(interaction.app.id, principal.userId))) return { kind: "denied" };
  const { params } = interaction;
  const prompts = String(params.prompt ?? "").split(" ");
  if (prompts.includes("login") && principal.authTime < interaction.startedAt) {
    return { kind: "confirm", reason: "login" };
  }
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  if (maxAge !== undefined && now.getTime() - principal.authTime.getTime() > maxAge * 1000) {
    return { kind: "confirm", reason: "max_age" };
  }
  const acr = acrFor(principal.amr);
  const requested = typeof params.acr_values === "string" ? params.acr_values : undefined;
  if (!satisfiesAcr(acr, requested)) return { kind: "confirm", reason: "acr" };
  return {
    kind: "finish",
    result: {
      login: {
        accountId: principal.userId,
        acr,
        amr: [...principal.amr],
        ts: Math.floor(principal.authTime.getTime() / 1000),
        remember: true,
      },
      ...bindingOf(principal),
    },
  };
}

/**
 * Read back at the resume by the provider's middleware, which binds its session to this Keyward
 * session (again: the library renews the provider session's id at every resume).
 */
export const bindingOf = (principal: UserPrincipal) => ({ keyward: { sessionId: principal.sessionId } });

/**
 * A consent prompt: a first-party app is granted what it asked without a screen; a third-party one
 * asks the user (app/interaction/<uid>/consent), once, remembered in the grant until revoked.
 */
export async function consentStep(interaction: Interaction, principal: UserPrincipal): Promise<Step> {
  if (!interaction.app.firstParty) return { kind: "consent" };
  return {
    kind: "finish",
    result: { consent: { grantId: await grantAsked(interaction, principal) }, ...bindingOf(principal) },
  };
}

/** What a consent prompt asks: OpenID scopes, then `<resource> <scope>` per Protected API permission. */
export function askedScopes(interaction: Interaction): string[] {
  const details = interaction.prompt.details;
  const resources = (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
  return [
    ...((details.missingOIDCScope as string[] | undefined) ?? []),
    ...Object.entries(resources).flatMap(([resource, scopes]) =>
      scopes.map((scope) => `${resource} ${scope}`),
    ),
  ];
}

/** Saves the grant of everything the interaction asks for; returns its id. */
export async function grantAsked(interaction: Interaction, principal: UserPrincipal): Promise<string> {
  const provider = await currentProvider();
  const existing = interaction.grantId;
  const grant =
    (existing ? await provider.Grant.find(existing) : undefined) ??
    new provider.Grant({ accountId: principal.userId, clientId: interaction.app.id });
  const details = interaction.prompt.details;
  const scopes = (details.missingOIDCScope as string[] | undefined) ?? [];
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(" "));
  const claims = (details.missingOIDCClaims as string[] | undefined) ?? [];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  const resources = (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
  for (const [indicator, wanted] of Object.entries(resources))
    grant.addResourceScope(indicator, wanted.join(" "));
  return grant.save();
}

import { resolvePrincipal } from "@/lib/auth/resolve-principal";
import { json, publicRoute } from "@/lib/http/route";
import { interactionDecisionSchema } from "@/lib/oidc/interaction-schemas";
import { auditAppEvent } from "@/lib/oidc/app-audit";
import {
  askedScopes,
  bindingOf,
  finishInteraction,
  grantAsked,
  readInteraction,
} from "@/lib/oidc/interaction";

/** What the app is told (`error_description`) when the user does not go on. */
const REFUSALS = {
  deny: "The user did not allow access.",
  leave: "The user may not use this app.",
  cancel: "The user did not confirm their identity.",
} as const;

/**
 * A decision on an app's sign-in, from Keyward's own pages (the door refuses it cross-site): allow
 * or decline a consent, or leave an app one may not use. The app hears `access_denied` for the
 * last two (OpenID Connect Core §3.1.2.6). Answers where the browser goes next.
 */
export const POST = publicRoute(
  { body: interactionDecisionSchema },
  async ({ req, params, body, context }) => {
    const uid = String(params.uid ?? "");
    const cookie = req.headers.get("cookie") ?? "";
    const here = `/interaction/${encodeURIComponent(uid)}`;
    const go = (location: string) => json({ location });
    const interaction = await readInteraction(uid, cookie);
    if (!interaction) return go(`${here}/expired`);
    if (body.decision !== "allow") {
      const refusal = { error: "access_denied", error_description: REFUSALS[body.decision] };
      if (body.decision === "deny" && interaction.accountId) {
        await auditAppEvent("app.consent_declined", {
          appId: interaction.app.id,
          userId: interaction.accountId,
          context,
        });
      }
      return go(await finishInteraction(uid, cookie, refusal));
    }
    const principal = await resolvePrincipal(req.cookies);
    // Only a consent, by the account signing in, can be allowed: anything else starts over.
    if (
      !principal ||
      principal.mustEnrollMfa ||
      interaction.prompt.name !== "consent" ||
      interaction.accountId !== principal.userId
    ) {
      return go(here);
    }
    const grantId = await grantAsked(interaction, principal);
    await auditAppEvent("app.consent_given", {
      appId: interaction.app.id,
      userId: principal.userId,
      context,
      details: { scopes: askedScopes(interaction) },
    });
    return go(await finishInteraction(uid, cookie, { consent: { grantId }, ...bindingOf(principal) }));
  },
);

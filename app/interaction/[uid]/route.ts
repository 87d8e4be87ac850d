import { NextResponse, type NextRequest } from "next/server";

import { resolvePrincipal } from "@/lib/auth/resolve-principal";
import { getConfig } from "@/lib/config/env";
import { publicRoute } from "@/lib/http/route";
import { emailSchema } from "@/lib/users/schemas";
import {
  consentStep,
  finishInteraction,
  loginStep,
  readInteraction,
  type Step,
} from "@/lib/oidc/interaction";

/**
 * Where the OpenID provider sends the browser when an app's sign-in needs Keyward (ADR 0012): it
 * reads the interaction and Keyward's session and sends the browser on, to Keyward's sign-in,
 * MFA enrollment, a fresh sign-in, the consent or the refusal page, or back to the provider with
 * the outcome. Public: who the user is comes from the session it reads itself.
 */
export const GET = publicRoute({}, async ({ req, params }) => {
  const uid = String(params.uid ?? "");
  const here = `/interaction/${encodeURIComponent(uid)}`;
  const cookie = req.headers.get("cookie") ?? "";
  const interaction = await readInteraction(uid, cookie);
  if (!interaction) return see(req, `${here}/expired`);
  const principal = await resolvePrincipal(req.cookies);
  const step: Step =
    interaction.prompt.name === "login" || !principal
      ? await loginStep(interaction, principal)
      : await consentStep(interaction, principal);
  switch (step.kind) {
    case "sign_in": {
      // OpenID Connect Core §3.1.2.1: a login_hint that is an address fills in the email field.
      const hint = interaction.params.login_hint;
      const email =
        typeof hint === "string" && emailSchema.safeParse(hint).success
          ? `&email=${encodeURIComponent(hint)}`
          : "";
      return see(req, `/login?callbackUrl=${encodeURIComponent(here)}${email}`);
    }
    case "enroll":
      return see(req, `/account/security?required=1&callbackUrl=${encodeURIComponent(here)}`);
    case "denied":
      return see(req, `${here}/denied`);
    case "confirm":
      return see(req, `${here}/confirm?reason=${step.reason}`);
    case "consent":
      return see(req, `${here}/consent`);
    case "finish":
      return see(req, await finishInteraction(uid, cookie, step.result));
  }
});

/** 303 to a path of Keyward's own origin (or the provider's absolute returnTo, also its own). */
function see(_req: NextRequest, location: string): Response {
  const url = new URL(location, getConfig().publicUrl);
  return NextResponse.redirect(url, { status: 303, headers: { "cache-control": "no-store" } });
}

import type { KoaContextWithOIDC } from "oidc-provider";

/**
 * The pages the OpenID provider itself renders (ADR 0012): an error that cannot go back to the
 * app, the sign-out question of RP-initiated logout, and its outcome. Plain HTML with no inline
 * style or script, which Keyward's CSP (nonce scripts, no inline styles) would block.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(ctx: KoaContextWithOIDC, title: string, body: string): void {
  ctx.type = "html";
  ctx.set("cache-control", "no-store");
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(title)} · Keyward</title></head><body><main><p>Keyward</p><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** A request that cannot go back to the app (unknown client, unregistered redirect URI): no redirect (RFC 9700 §4.1). */
export function renderError(
  ctx: KoaContextWithOIDC,
  out: { error?: string; error_description?: string },
): void {
  render(
    ctx,
    "Sign-in could not continue",
    `<p>${escapeHtml(String(out.error_description ?? out.error ?? "The request was not valid."))}</p><p>Go back to the app and try again. If it keeps happening, tell the app's administrator.</p>`,
  );
}

/**
 * RP-initiated logout's question (OpenID Connect RP-Initiated Logout 1.0 §2): sign out of Keyward,
 * or only of the app. The confirmation is a form post whose answer redirects to the app's
 * registered post-logout URI: the CSP's form-action gains that one origin for this page only.
 */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  const app = ctx.oidc.client?.clientName;
  const target = ctx.oidc.params?.post_logout_redirect_uri;
  const registered = ctx.oidc.client?.postLogoutRedirectUris ?? [];
  if (typeof target === "string" && registered.includes(target)) {
    const policy = String(ctx.response.get("content-security-policy") ?? "");
    const origin = new URL(target).origin;
    ctx.set("content-security-policy", policy.replace("form-action 'self'", `form-action 'self' ${origin}`));
  }
  render(
    ctx,
    "Sign out of Keyward?",
    `<p>${app ? `${escapeHtml(app)} has signed you out. ` : ""}You are still signed in to Keyward and to the other apps that use it on this device.</p>${form}<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign out of Keyward</button></p><p><button type="submit" form="op.logoutForm">No, stay signed in</button></p>`,
  );
}

export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  render(ctx, "You have signed out", `<p><a href="/login">Sign in again</a></p>`);
}

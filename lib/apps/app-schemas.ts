import { z } from "zod";

import { apiPermissionIdListSchema } from "../apis/api-permission-schema.ts";
import { overlapMinutesSchema } from "../credentials/secret-rotation.ts";
import { NUL_MESSAGE, withoutNul } from "../http/no-nul.ts";
import { zodToAppError } from "../http/problem.ts";
import { searchTextSchema } from "../http/search-schema.ts";
import { emailSchema } from "../users/schemas.ts";
import { idSchema, userIdSchema } from "../users/user-schemas.ts";

/**
 * Input schemas of the applications registry (issue 15): the UI's forms, the server actions, the
 * REST routes and the OpenAPI document share these. Redirect URIs follow RFC 9700 §4.1 (exact
 * match, no wildcard, no fragment) and RFC 8252 for native apps (loopback on any port, private-use
 * schemes, claimed https).
 */
export const appIdSchema = idSchema("app");

export const APP_KINDS = ["web", "spa", "native"] as const;
export type AppKind = (typeof APP_KINDS)[number];
export const APP_KIND_LABELS: Record<AppKind, string> = {
  web: "Web app (server-side, confidential: has a client secret)",
  spa: "Single-page app (in the browser, public: PKCE, no secret)",
  native: "Native or mobile app (public: PKCE, no secret)",
};

/** A web app is a confidential client (it has a secret); single-page and native apps are public. */
export const isConfidential = (kind: string) => kind === "web";

export const MAX_REDIRECT_URIS = 10;
const MAX_URI_LENGTH = 2_000;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

type UriUse = "redirect" | "logout" | "backchannel" | "page";

/**
 * Why a URI cannot be registered for this kind of app, or null. Web and single-page apps use https
 * (http only on loopback, for development); native apps also use http on loopback (matched on any
 * port) or a private-use scheme in reverse-domain form (`com.example.app:/callback`).
 */
export function uriProblem(value: string, kind: AppKind, use: UriUse): string | null {
  if (!withoutNul(value) || /[\s\u0000-\u001f\u007f]/.test(value))
    return "A URI has no spaces or control characters.";
  if (value.length > MAX_URI_LENGTH) return `A URI has at most ${MAX_URI_LENGTH} characters.`;
  if (value.includes("*")) return "A URI is matched exactly: no wildcards (RFC 9700 §4.1.3).";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter an absolute URI, e.g. https://app.example.com/callback.";
  }
  if (value.includes("#")) return "A URI has no fragment (#…).";
  if (url.username || url.password || value.includes("@"))
    return "A URI carries no user name or password (no @).";
  // Compared as written (RFC 9700 §4.1.3), so it is stored as a URL parser writes it: otherwise a
  // host in another spelling (percent-encoded, hex, a backslash) could read as one host here and
  // as another to the app or a browser.
  if (url.href !== value)
    return `Write it as ${url.href.slice(0, 200)}: URIs are compared exactly as written.`;
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === "https:") {
    if (!url.hostname) return "A URI names a host.";
    // A native app's claimed https URI names its own domain; on loopback it uses http (RFC 8252 §7.3).
    if (loopback && kind === "native" && use !== "page")
      return "A native app uses http:// on a loopback address, not https://.";
    if (use === "backchannel" && (loopback || /^[\d.]+$|^\[/.test(url.hostname)))
      return "The back-channel logout URI names the app's host by name (https), not a loopback or IP address.";
    return null;
  }
  if (url.protocol === "http:") {
    if (use === "backchannel") return "The back-channel logout URI uses https://.";
    return loopback
      ? null
      : "Use https:// (http:// only for localhost, 127.0.0.1 or [::1] while developing).";
  }
  // Private-use schemes (RFC 8252 §7.1): native apps' sign-in and sign-out redirects only.
  const privateUse = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol);
  if (kind === "native" && privateUse && (use === "redirect" || use === "logout")) return null;
  return kind === "native" && (use === "redirect" || use === "logout")
    ? "Use https://, http:// on a loopback address, or a private-use scheme such as com.example.app:/callback."
    : "Use https:// (http:// only for localhost, 127.0.0.1 or [::1] while developing).";
}

const uriText = z
  .string({ error: "Enter a URI." })
  .trim()
  .min(1, "Enter a URI.")
  .max(MAX_URI_LENGTH, `A URI has at most ${MAX_URI_LENGTH} characters.`);

const uriList = (what: string) =>
  z
    .array(uriText)
    .max(MAX_REDIRECT_URIS, `At most ${MAX_REDIRECT_URIS} ${what}.`)
    .refine((uris) => new Set(uris).size === uris.length, `Each of the ${what} once.`);

const optionalUrl = z
  .string()
  .trim()
  .max(MAX_URI_LENGTH, `A URL has at most ${MAX_URI_LENGTH} characters.`)
  .optional()
  .transform((value) => (value ? value : undefined));

const text = (max: number, what: string) =>
  z.string().trim().max(max, `${what} has at most ${max} characters.`).refine(withoutNul, NUL_MESSAGE);

export const appNameSchema = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name, e.g. “Orders portal”: users see it when they sign in.")
  .max(100, "A name has at most 100 characters.")
  .refine(withoutNul, NUL_MESSAGE);

const seconds = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: "Enter a number of seconds." })
    .int("Enter a whole number of seconds.")
    .min(min, `${what} is at least ${min.toLocaleString("en-US")} seconds.`)
    .max(max, `${what} is at most ${max.toLocaleString("en-US")} seconds.`);

const roleIdListSchema = z
  .array(idSchema("rol"))
  .max(100, "At most 100 roles.")
  .transform((list) => [...new Set(list)].sort());

const appOwnerSchema = z.union([userIdSchema, emailSchema], {
  error: "Enter the owner's email address or user id.",
});

/** The fields an app is registered with; the kind is fixed once registered (it decides the secret). */
const appFields = {
  name: appNameSchema,
  description: text(1_000, "A description").default(""),
  homepageUrl: optionalUrl.describe("Shown on the consent screen (https)."),
  logoUrl: optionalUrl.describe("Shown on the consent screen (https)."),
  redirectUris: uriList("redirect URIs").describe(
    "Exact-match sign-in redirect URIs (a native app's loopback ones match on any port, RFC 8252).",
  ),
  postLogoutRedirectUris: uriList("sign-out redirect URIs").default([]),
  backchannelLogoutUri: optionalUrl.describe("OpenID Connect Back-Channel Logout 1.0 (https)."),
  firstParty: z.boolean().default(false).describe("First-party apps skip the consent screen."),
  restrictedToRoles: z
    .boolean()
    .default(false)
    .describe(
      "Only holders of `signInRoleIds` may sign in; others see a page and the app gets access_denied.",
    ),
  signInRoleIds: roleIdListSchema.default([]),
  refreshTokens: z.boolean().default(true),
  requireDpop: z
    .boolean()
    .default(false)
    .describe(
      "RFC 9449: code exchanges and refreshes must carry a DPoP proof, so the app's access tokens (and a public app's refresh tokens) are bound to its key.",
    ),
  accessTokenTtlSeconds: seconds(60, 86_400, "An access token's lifetime").default(900),
  refreshTokenIdleSeconds: seconds(300, 90 * 86_400, "A refresh token's idle lifetime").default(14 * 86_400),
  refreshTokenAbsoluteSeconds: seconds(3_600, 365 * 86_400, "A refresh token's absolute lifetime").default(
    30 * 86_400,
  ),
  apiPermissionIds: apiPermissionIdListSchema
    .default([])
    .describe("The Protected APIs' permissions the app may ask for on its users' behalf, by permission id."),
  /** Defaults to the caller. */
  owner: appOwnerSchema.optional().or(z.literal("").transform(() => undefined)),
};

type AppShape = {
  kind: AppKind;
  homepageUrl?: string;
  logoUrl?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
  restrictedToRoles: boolean;
  signInRoleIds: string[];
  refreshTokenIdleSeconds: number;
  refreshTokenAbsoluteSeconds: number;
};

/** The rules that read several fields: each URI against the kind, roles when restricted, lifetimes. */
function checkApp(app: AppShape, ctx: z.RefinementCtx): void {
  const check = (value: string | undefined, use: UriUse, path: (string | number)[]) => {
    const problem = value === undefined ? null : uriProblem(value, app.kind, use);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path });
  };
  if (app.redirectUris.length === 0) {
    ctx.addIssue({ code: "custom", message: "Enter at least one redirect URI.", path: ["redirectUris"] });
  }
  app.redirectUris.forEach((uri, i) => check(uri, "redirect", ["redirectUris", i]));
  app.postLogoutRedirectUris.forEach((uri, i) => check(uri, "logout", ["postLogoutRedirectUris", i]));
  check(app.backchannelLogoutUri, "backchannel", ["backchannelLogoutUri"]);
  check(app.homepageUrl, "page", ["homepageUrl"]);
  check(app.logoUrl, "page", ["logoUrl"]);
  if (app.restrictedToRoles && app.signInRoleIds.length === 0) {
    ctx.addIssue({
      code: "custom",
      message: "Choose at least one role whose holders may sign in, or let everyone sign in.",
      path: ["signInRoleIds"],
    });
  }
  if (app.refreshTokenAbsoluteSeconds < app.refreshTokenIdleSeconds) {
    ctx.addIssue({
      code: "custom",
      message: "A refresh token's absolute lifetime is at least its idle lifetime.",
      path: ["refreshTokenAbsoluteSeconds"],
    });
  }
}

export const createAppSchema = z
  .object({ kind: z.enum(APP_KINDS, { error: "Choose the kind of app." }), ...appFields })
  .superRefine(checkApp);
export type CreateAppInput = z.infer<typeof createAppSchema>;

/** An edit sends the whole registration again (the form does); the kind stays as registered. */
export const updateAppBodySchema = z.object(appFields);
export type UpdateAppInput = z.infer<typeof updateAppBodySchema>;

export const appRefSchema = z.object({ appId: appIdSchema });

export const rotateAppSecretSchema = z.object({ overlapMinutes: overlapMinutesSchema });

export const listAppsSchema = z.object({
  q: searchTextSchema,
  after: appIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ListAppsInput = z.infer<typeof listAppsSchema>;

/**
 * The cross-field rules of an edit, once the registered kind is known (lib/apps): throws the same
 * invalid error a create would, naming the fields (400).
 */
export function assertValidEdit(kind: AppKind, input: UpdateAppInput): void {
  const result = createAppSchema.safeParse({ ...input, kind });
  if (!result.success) throw zodToAppError(result.error);
}

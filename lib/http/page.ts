import { cookies, headers } from "next/headers";
import { forbidden, notFound, redirect } from "next/navigation";

import type { UserPrincipal } from "../auth/principal.ts";
import { resolvePrincipal } from "../auth/resolve-principal.ts";
import { AppError } from "../errors/app-error.ts";
import { notePrincipal } from "../observability/request-principal.ts";
import { can } from "../policy/authorize.ts";
import type { Permission } from "../policy/permissions.ts";
import { safeCallbackUrl } from "./callback-url.ts";
import { REQUEST_ID_HEADER } from "./request-context.ts";

export { safeCallbackUrl };

/**
 * Pages use the same resolver as routes: no principal, sign in; no permission, 403. A user who must
 * still enroll a second factor is sent to the enrollment page from everywhere else.
 */
export async function requirePageUser(
  permission?: Permission,
  options: { duringEnrollment?: boolean } = {},
): Promise<UserPrincipal> {
  const principal = await pagePrincipal();
  if (!principal) {
    const path = (await headers()).get("x-keyward-path") ?? "/account";
    redirect(`/login?callbackUrl=${encodeURIComponent(safeCallbackUrl(path))}`);
  }
  if (principal.mustEnrollMfa && !options.duringEnrollment) redirect("/account/security?required=1");
  if (permission && !can(principal, permission)) forbidden();
  return principal;
}

export async function currentPageUser(): Promise<UserPrincipal | null> {
  return pagePrincipal();
}

/** The page's principal, noted for the access log under the request id server.js gave it. */
async function pagePrincipal(): Promise<UserPrincipal | null> {
  const principal = await resolvePrincipal(await cookies());
  notePrincipal((await headers()).get(REQUEST_ID_HEADER) ?? "", principal);
  return principal;
}

/** Domain errors met while rendering a page become the 404 or 403 page, never a 500. */
export async function pageData<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    if (error instanceof AppError && error.code === "forbidden") forbidden();
    throw error;
  }
}

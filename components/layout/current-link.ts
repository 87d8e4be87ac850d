/**
 * The link for the page at `pathname`: the longest href that is the path or a prefix of it at a "/"
 * boundary, so /account/security is Security and not also My account, and /users/usr_1 is Users.
 */
export function currentHref(pathname: string, hrefs: string[]): string | undefined {
  const matches = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
  return hrefs.filter(matches).sort((a, b) => b.length - a.length)[0];
}

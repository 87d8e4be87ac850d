/** Only same-site paths may be returned to after sign-in (no open redirect). */
export function safeCallbackUrl(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\"))
    return "/account";
  return value;
}

/** Types for scripts/request-guard.js (plain JavaScript, so that server.js runs with node alone). */
export function contentSecurityPolicy(nonce: string, options: { dev: boolean }): string;
export function crossSiteRefusal(
  req: { method: string; path: string; headers: Record<string, string | string[] | undefined> },
  allowedOrigins: ReadonlySet<string>,
): string | null;
export const MAX_BODY_BYTES: number;
export function bodyTooLarge(contentLength: string | undefined): boolean;
export function lengthRequired(headers: Record<string, string | string[] | undefined>): boolean;
export function malformedPath(path: string): boolean;
export const MAX_URL_LENGTH: number;
export function unsupportedMultipart(req: {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}): boolean;
export function problemBody(
  code:
    | "forbidden"
    | "payload_too_large"
    | "invalid"
    | "uri_too_long"
    | "unsupported_media_type"
    | "length_required",
  detail: string,
  requestId: string,
): string;

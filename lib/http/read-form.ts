import { OAuthError } from "../oauth/oauth-error.ts";
import { CLEAN_TEXT_MESSAGE, isCleanText } from "./no-nul.ts";

export const MAX_FORM_BYTES = 16 * 1024;

/**
 * An application/x-www-form-urlencoded body (RFC 6749 §3.2), size-limited while it streams. Each
 * parameter may appear once (§3.1) unless listed in `repeatable` (RFC 8707's `resource`).
 */
export async function readOAuthForm(
  req: Request,
  repeatable: readonly string[] = [],
): Promise<{ get(name: string): string | undefined; getAll(name: string): string[] }> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded.");
  }
  if (Number(req.headers.get("content-length") ?? "0") > MAX_FORM_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_FORM_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8.");
  }
  // URLSearchParams turns percent-encoded bytes that are not UTF-8 (%FF, an encoded lone surrogate
  // %ED%A0%80) into U+FFFD without a word: refuse them instead, as the raw body's bytes are.
  if (!text.split(/[&=]/).every(percentDecodable)) {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8.");
  }
  const params = new URLSearchParams(text);
  if ([...params].some(([name, value]) => !isCleanText(name) || !isCleanText(value))) {
    throw new OAuthError("invalid_request", CLEAN_TEXT_MESSAGE);
  }
  for (const name of new Set(params.keys())) {
    if (!repeatable.includes(name) && params.getAll(name).length > 1) {
      throw new OAuthError("invalid_request", `The parameter ${name} appears more than once.`);
    }
  }
  return {
    get: (name) => params.get(name) ?? undefined,
    getAll: (name) => params.getAll(name),
  };
}

function percentDecodable(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

function tooLarge(): OAuthError {
  return new OAuthError("invalid_request", `The request body is larger than ${MAX_FORM_BYTES} bytes.`);
}

"use client";

import { startAuthentication, startRegistration } from "@simplewebauthn/browser";

import { postJson, type PostResult } from "@/components/ui/post-json";

/** What a person should read when the browser ceremony itself fails (cancelled, timed out, unsupported). */
function ceremonyError(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
  if (name === "InvalidStateError") return "This authenticator is already registered.";
  if (name === "NotSupportedError") return "This browser or device does not support passkeys.";
  return "The passkey request failed. Try again.";
}

const failed = (message: string): PostResult<never> => ({ ok: false, status: 0, message, fields: {} });

/** Options from our server, the browser's assertion, then our server's verification. */
export async function passkeyAssertion<T>(optionsUrl: string, verifyUrl: string): Promise<PostResult<T>> {
  const options = await postJson<Parameters<typeof startAuthentication>[0]["optionsJSON"]>(optionsUrl, {});
  if (!options.ok) return options;
  let response;
  try {
    response = await startAuthentication({ optionsJSON: options.data });
  } catch (error) {
    return failed(ceremonyError(error));
  }
  return postJson<T>(verifyUrl, { response });
}

export async function passkeyRegistration<T>(name: string): Promise<PostResult<T>> {
  const options = await postJson<Parameters<typeof startRegistration>[0]["optionsJSON"]>(
    "/api/account/passkeys/options",
    {},
  );
  if (!options.ok) return options;
  let response;
  try {
    response = await startRegistration({ optionsJSON: options.data });
  } catch (error) {
    return failed(ceremonyError(error));
  }
  return postJson<T>("/api/account/passkeys/register", { name, response });
}

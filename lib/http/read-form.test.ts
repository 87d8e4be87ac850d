import { describe, expect, it } from "vitest";

import { OAuthError } from "../oauth/oauth-error.ts";
import { readOAuthForm } from "./read-form.ts";

const post = (body: string) =>
  new Request("http://localhost:3000/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });

async function refusal(body: string): Promise<string | null> {
  try {
    await readOAuthForm(post(body));
    return null;
  } catch (error) {
    if (error instanceof OAuthError) return error.message;
    throw error;
  }
}

// Guarantee: the OAuth endpoints' form reader refuses text PostgreSQL would not store as received.
describe("OAuth form bodies", () => {
  it("reads ordinary, percent-encoded and astral text", async () => {
    const form = await readOAuthForm(
      post("grant_type=client_credentials&scope=users.read+audit.read&x=%F0%9F%98%80"),
    );
    expect(form.get("scope")).toBe("users.read audit.read");
    expect(form.get("x")).toBe("\ud83d\ude00");
  });

  it("refuses NUL, and percent-encodings that are not UTF-8 (which would become U+FFFD silently)", async () => {
    expect(await refusal("grant_type=client_credentials&scope=a%00b")).toMatch(/NUL/);
    expect(await refusal("client_id=%ED%A0%80x")).toMatch(/UTF-8/);
    expect(await refusal("client_id=%FF")).toMatch(/UTF-8/);
    expect(await refusal("client_id=%")).toMatch(/UTF-8/);
  });
});

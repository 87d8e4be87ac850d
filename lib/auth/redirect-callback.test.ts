import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { resetConfigForTests } from "../config/env.ts";
import { authOptions } from "./auth-options.ts";

const ORIGIN = "https://keyward.example";

/** next-auth's redirect callback, as next-auth calls it for sign-in's and sign-out's callbackUrl. */
async function redirectFor(url: string): Promise<string> {
  const redirect = authOptions().callbacks?.redirect;
  if (!redirect) throw new Error("no redirect callback");
  return redirect({ url, baseUrl: ORIGIN });
}

// Guarantee: next-auth sends the browser only to pages of KEYWARD_URL, checked as the login page is.
describe("next-auth's redirect callback", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.KEYWARD_URL;
    process.env.KEYWARD_URL = ORIGIN;
    resetConfigForTests();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYWARD_URL;
    else process.env.KEYWARD_URL = saved;
    resetConfigForTests();
  });

  it("keeps a page of this origin, relative or absolute", async () => {
    expect(await redirectFor("/login?signedOut=1")).toBe(`${ORIGIN}/login?signedOut=1`);
    expect(await redirectFor(`${ORIGIN}/audit?page=2#top`)).toBe(`${ORIGIN}/audit?page=2#top`);
  });

  it("sends anything else to the home page, which lands the user", async () => {
    for (const evil of [
      "/\t/evil.example",
      "/%09/evil.example",
      "//evil.example",
      "/\\evil.example",
      "/.//evil.example",
      "https://evil.example/",
      `${ORIGIN}@evil.example/`,
      "javascript:alert(1)",
      "/%255C/evil.example",
    ]) {
      expect(await redirectFor(evil), JSON.stringify(evil)).toBe(`${ORIGIN}/`);
    }
  });
});

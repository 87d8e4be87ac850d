import { isRedirectError } from "next/dist/client/components/redirect-error";
import { getURLFromRedirectError } from "next/dist/client/components/redirect";
import { beforeAll, describe, expect, it, vi } from "vitest";

import { db } from "@/lib/db/client";
import { setSetting } from "@/lib/settings/settings";
import { makeUser, signedInCookie } from "@/test/factories";

// The page reads the browser's cookies through next/headers, which only Next's request scope
// provides: this stands in for that scope with a real session cookie (database and auth are real).
const request = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => {
      const pair = request.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
      return pair ? { name, value: pair.slice(name.length + 1) } : undefined;
    },
  }),
  headers: async () => new Headers({ cookie: request.cookie }),
}));

const { default: LoginPage } = await import("./page");

/** Where the login page redirects a signed-in browser, or null when it renders the form. */
async function redirectOf(callbackUrl: string | string[] | undefined): Promise<string | null> {
  try {
    await LoginPage({ searchParams: Promise.resolve({ callbackUrl }) });
    return null;
  } catch (error) {
    if (isRedirectError(error)) return getURLFromRedirectError(error);
    throw error;
  }
}

beforeAll(async () => {
  await db.$transaction((tx) => setSetting(tx, "setupCompletedAt", new Date().toISOString()));
  const user = await makeUser();
  request.cookie = (await signedInCookie(user.id)).cookie;
});

// Guarantee: the login page sends a browser that is already signed in only to a page of KEYWARD_URL.
describe("the login page's redirect of a signed-in browser", () => {
  it("goes to the callback when it is a page of this Keyward", async () => {
    expect(await redirectOf("/audit?page=2")).toBe("/audit?page=2");
    expect(await redirectOf("http://localhost:3000/roles")).toBe("/roles");
  });

  it("goes to the home page, which lands the user, for every hostile callback", async () => {
    for (const evil of [
      "/\t/evil.example",
      "/%09/evil.example",
      "/\n/evil.example",
      "//evil.example",
      "/\\evil.example",
      "/.//evil.example",
      "/%5C/evil.example",
      "/%252F/evil.example",
      "https://evil.example/",
      "http://localhost:3000@evil.example/",
      "javascript:alert(1)",
      ["/users", "//evil.example"],
      undefined,
    ]) {
      expect(await redirectOf(evil), JSON.stringify(evil)).toBe("/");
    }
  });

  it("renders the form for a browser that is not signed in", async () => {
    const saved = request.cookie;
    request.cookie = "";
    try {
      expect(await redirectOf("/\t/evil.example")).toBeNull();
    } finally {
      request.cookie = saved;
    }
  });
});

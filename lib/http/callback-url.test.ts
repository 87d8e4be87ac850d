import { describe, expect, it } from "vitest";

import { DEFAULT_CALLBACK, safeCallbackUrl } from "./callback-url.ts";

const ORIGIN = "https://keyward.example";

// Guarantee: after sign-in the browser only ever goes to a page of this Keyward (no open redirect),
// whatever a link's callbackUrl says and however the browser would read it.
describe("the sign-in return path", () => {
  it("keeps a same-origin path with its query and fragment", () => {
    for (const [given, kept] of [
      ["/users?page=2", "/users?page=2"],
      ["/audit", "/audit"],
      ["/users/usr_1?tab=roles#sessions", "/users/usr_1?tab=roles#sessions"],
      ["/account/security?required=1", "/account/security?required=1"],
      ["/@evil.example", "/@evil.example"],
      ["/search?q=%2F%2Fnot-a-host", "/search?q=%2F%2Fnot-a-host"],
      [`${ORIGIN}/clients?x=1#y`, "/clients?x=1#y"],
      [ORIGIN, "/"],
    ] as const) {
      expect(safeCallbackUrl(given, ORIGIN), given).toBe(kept);
    }
  });

  it("resolves against KEYWARD_URL given as a URL too", () => {
    expect(safeCallbackUrl(`${ORIGIN}/roles`, new URL(`${ORIGIN}/`))).toBe("/roles");
  });

  const hostile = [
    // Another origin, spelled every way a browser accepts.
    "https://evil.example",
    "https://evil.example/account",
    "http://keyward.example/account",
    "https://keyward.example:8443/account",
    "https://keyward.example.evil.example/",
    "https://keyward.example@evil.example/",
    "https://user:pass@keyward.example/account",
    `${ORIGIN}@evil.example`,
    "HTTPS://EVIL.EXAMPLE",
    "HTTPS://KEYWARD.EXAMPLE/account",
    "https:evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
    "http:evil.example",
    "ftp://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "//evil.example/%2F..",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "//[::1]/",
    "http://[::1]:3000/",
    "//[2001:db8::1]/account",
    "//127.0.0.1",
    "//0x7f.1",
    "/.//evil.example",
    "/./..//evil.example",
    "/a/..//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    // Schemes that run or carry content.
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "blob:https://evil.example/x",
    // Control characters, raw: browsers drop tab, CR and LF inside URLs.
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\u0000/evil.example",
    "/\u001f/evil.example",
    "/\u007f/evil.example",
    "/\u0085/evil.example",
    "/\u009f/evil.example",
    "/\u2028/evil.example",
    "/\u2029/evil.example",
    "/\u200b/evil.example",
    "/\u202e/evil.example",
    "/\ufeff/evil.example",
    "/\u00a0/evil.example",
    "/ /evil.example",
    "/\ud800/evil.example",
    "/\uff0f/evil.example",
    // The same, percent-encoded once, twice and three times.
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0D/evil.example",
    "/%00/evil.example",
    "/%7f/evil.example",
    "/%c2%85/evil.example",
    "/%e2%80%a8/evil.example",
    "/%5C/evil.example",
    "/%5cevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%2509/evil.example",
    "/%255C/evil.example",
    "/%252F/evil.example",
    "/%25252F/evil.example",
    "/%25%32%46/evil.example",
    "/%",
    "/%zz",
    "/%c0%af/evil.example",
    // Backslashes anywhere, even where they would be harmless today.
    "/account\\",
    "/account?next=\\\\evil.example",
    "/account#\\",
    // Not a path at all.
    "",
    " ",
    "account",
    "evil.example",
    "?x=1",
    "#top",
    ".",
    "..",
    null,
    undefined,
    "/".repeat(1) + "a".repeat(3000),
  ];

  it("refuses every other value, falling back to the account page", () => {
    for (const evil of hostile) {
      expect(safeCallbackUrl(evil, ORIGIN), JSON.stringify(evil)).toBe(DEFAULT_CALLBACK);
    }
  });

  it("never returns something a browser would leave this origin for", () => {
    const base = new URL(ORIGIN);
    for (const value of hostile) {
      const path = safeCallbackUrl(value, ORIGIN);
      expect(path.startsWith("/") && !path.startsWith("//"), String(path)).toBe(true);
      expect(new URL(path, base).origin).toBe(base.origin);
    }
  });

  it("refuses values of other types (a repeated query parameter is an array)", () => {
    for (const odd of [["/users"], 1, {}, true]) {
      expect(safeCallbackUrl(odd, ORIGIN)).toBe(DEFAULT_CALLBACK);
    }
  });

  it("keeps only paths without an origin to compare with", () => {
    expect(safeCallbackUrl("/users")).toBe("/users");
    expect(safeCallbackUrl("https://keyward.example/users")).toBe(DEFAULT_CALLBACK);
    expect(safeCallbackUrl("/%09/evil.example")).toBe(DEFAULT_CALLBACK);
  });
});

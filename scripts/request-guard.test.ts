import { describe, expect, it } from "vitest";

import {
  contentSecurityPolicy,
  crossSiteRefusal,
  lengthRequired,
  malformedPath,
  unsupportedMultipart,
} from "./request-guard.js";

const ours = new Set(["https://iam.example.test"]);
const post = (headers: Record<string, string>, path = "/api/v1/tokens") => ({
  method: "POST",
  path,
  headers,
});

describe("the cross-site request check", () => {
  it("lets same-origin browser requests and non-browser clients through", () => {
    expect(
      crossSiteRefusal(post({ "sec-fetch-site": "same-origin", origin: "https://iam.example.test" }), ours),
    ).toBeNull();
    expect(crossSiteRefusal(post({ origin: "https://iam.example.test" }), ours)).toBeNull();
    expect(crossSiteRefusal(post({}), ours)).toBeNull();
    expect(
      crossSiteRefusal({ method: "GET", path: "/", headers: { "sec-fetch-site": "cross-site" } }, ours),
    ).toBeNull();
  });

  it("refuses state-changing requests another site or origin makes a browser send", () => {
    for (const site of ["cross-site", "same-site"]) {
      expect(crossSiteRefusal(post({ "sec-fetch-site": site }), ours)).toMatch(/refused/);
    }
    expect(crossSiteRefusal(post({ origin: "https://evil.example" }), ours)).toMatch(/another origin/);
    expect(crossSiteRefusal(post({ origin: "null" }), ours)).toMatch(/another origin/);
    expect(crossSiteRefusal({ ...post({ origin: "https://evil.example" }), method: "delete" }, ours)).toMatch(
      /another origin/,
    );
  });

  it("does not apply where no ambient credential is involved", () => {
    expect(
      crossSiteRefusal(post({ origin: "https://evil.example", authorization: "Bearer x" }), ours),
    ).toBeNull();
    // RFC 9449's scheme is no ambient credential either; Basic is (a browser may attach it).
    expect(
      crossSiteRefusal(post({ origin: "https://evil.example", authorization: "DPoP x" }), ours),
    ).toBeNull();
    expect(
      crossSiteRefusal(post({ origin: "https://evil.example", authorization: "Basic eDp4" }), ours),
    ).not.toBeNull();
    for (const endpoint of [
      "/api/oauth/token",
      "/api/oauth/introspect",
      "/api/oauth/revoke",
      "/api/OAuth/token/",
      "/oidc/me",
    ]) {
      expect(crossSiteRefusal(post({ "sec-fetch-site": "cross-site" }, endpoint), ours), endpoint).toBeNull();
    }
    // Only those: anything else under /api/oauth/ (or beside it) is a change like any other.
    for (const path of [
      "/api/oauth/consent",
      "/api/oauth/token/x",
      "/api/oauth/tokens",
      "/oidc/session/end/confirm",
      "/oidc/auth",
      "/oidc/session/end",
      "/oidc/auth/resume-uid",
      "/interaction/some-uid/decision",
    ]) {
      expect(crossSiteRefusal(post({ "sec-fetch-site": "cross-site" }, path), ours), path).toMatch(/refused/);
    }
    // Browsers attach Basic, Digest or Negotiate by themselves (for a proxy): those exempt nothing.
    expect(
      crossSiteRefusal(post({ origin: "https://evil.example", authorization: "Basic eDp5" }), ours),
    ).toMatch(/another origin/);
  });
});

describe("the content security policy", () => {
  it("runs only scripts carrying this response's nonce, and forbids framing, plugins and foreign forms", () => {
    const csp = contentSecurityPolicy("bm9uY2U=", { dev: false });
    expect(csp).toContain("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    for (const directive of [
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ]) {
      expect(csp).toContain(directive);
    }
    // Registered apps' logos are https images; plain http ones, never.
    expect(csp).toContain("img-src 'self' data: https:");
    expect(csp).not.toMatch(/img-src[^;]*http:/);
  });
});

describe("the path check", () => {
  it("finds malformed percent-escapes that a router could not decode", () => {
    for (const path of ["/api/v1/users/%", "/api/v1/users/%E0%A4%A", "/x/%ZZ"])
      expect(malformedPath(path)).toBe(true);
    for (const path of ["/api/v1/users/usr_1", "/a%20b", "/%2e%2e", "/%F0%9F%98%80"])
      expect(malformedPath(path)).toBe(false);
  });
});

describe("multipart bodies", () => {
  it("are refused unless they are a server action Next.js will parse", () => {
    const multipart = { "content-type": "multipart/form-data; boundary=x" };
    expect(unsupportedMultipart({ method: "POST", headers: multipart })).toBe(true);
    expect(unsupportedMultipart({ method: "DELETE", headers: multipart })).toBe(true);
    expect(unsupportedMultipart({ method: "POST", headers: { ...multipart, "next-action": "7f01" } })).toBe(
      false,
    );
    expect(unsupportedMultipart({ method: "POST", headers: { "content-type": "application/json" } })).toBe(
      false,
    );
    expect(unsupportedMultipart({ method: "GET", headers: multipart })).toBe(false);
  });
});

describe("bodies without a length", () => {
  it("are refused when chunked, since no cap could apply to them", () => {
    expect(lengthRequired({ "transfer-encoding": "chunked" })).toBe(true);
    expect(lengthRequired({ "transfer-encoding": "chunked", "content-length": "12" })).toBe(false);
    expect(lengthRequired({})).toBe(false);
  });
});

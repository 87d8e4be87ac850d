import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { loggableUrl, REDACTED } from "./loggable-url.ts";

// Guarantee: a URL in the access log keeps its path and the names of its query parameters, and
// the value of none but a short allow-list of harmless ones: no code, state, hint, token or secret.

describe("loggableUrl", () => {
  it("keeps the path and allow-listed values, and only the names of the rest", () => {
    expect(loggableUrl("/api/v1/users?limit=20&cursor=usr_1&q=alice%40example.test")).toBe(
      `/api/v1/users?limit=20&cursor=usr_1&q=${REDACTED}`,
    );
    expect(loggableUrl("/api/ready")).toBe("/api/ready");
    expect(loggableUrl("/login?")).toBe("/login");
    expect(loggableUrl("/x?flag")).toBe("/x?flag");
  });

  it("redacts OAuth and OpenID secrets and hints", () => {
    const url =
      "/oidc/auth?client_id=app_1&code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj&login_hint=alice%40example.test" +
      "&id_token_hint=eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.sig&code_verifier=abc&token=kw_pat_abc&response_type=code";
    const logged = loggableUrl(url);
    for (const secret of ["SplxlOBeZQQYbYS6WxSbIA", "af0ifjsldkj", "alice", "eyJ", "abc", "kw_pat_"])
      expect(logged).not.toContain(secret);
    expect(logged).toContain("code=[redacted]");
    expect(logged).toContain("login_hint=[redacted]");
    expect(logged).toContain("response_type=code");
  });

  it("masks credentials a client put in the path or in an allowed value or a name", () => {
    expect(loggableUrl("/api/v1/tokens/kw_pat_3xAmPle0ther")).toBe(`/api/v1/tokens/${REDACTED}`);
    expect(loggableUrl("/x/eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")).toBe(`/x/${REDACTED}`);
    expect(loggableUrl("/x?cursor=kw_cs_secretvalue")).toBe(`/x?cursor=${encodeURIComponent(REDACTED)}`);
    expect(loggableUrl("/x?kw_pat_secretvalue")).not.toContain("secretvalue");
  });

  it("bounds what hostile input can write: long paths, many parameters, bad escapes, unicode", () => {
    expect(loggableUrl(`/${"a".repeat(10_000)}`).length).toBeLessThan(600);
    const many = loggableUrl(`/x?${Array.from({ length: 500 }, (_, i) => `p${i}=${i}`).join("&")}`);
    expect(many.length).toBeLessThan(1_000);
    expect(loggableUrl("/x?limit=%ZZ&%E0%A4%A=1")).toBe(`/x?limit=%25ZZ&%25E0%25A4%25A=${REDACTED}`);
    expect(loggableUrl("/x?limit=%F0%9F%98%80")).toBe("/x?limit=%F0%9F%98%80");
    // A pair cut in two by the clip must not throw.
    expect(() => loggableUrl(`/x?limit=${"😀".repeat(200)}`)).not.toThrow();
  });

  it("never throws, and never writes a value that is not allow-listed", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.string({ unit: "grapheme", minLength: 8, maxLength: 40 }).filter((s) => /^[A-Za-z0-9]+$/.test(s)),
        (path, secret) => {
          const logged = loggableUrl(`/${path}?code=${secret}&state=${secret}&login_hint=${secret}`);
          expect(logged.split("?").slice(1).join("?")).not.toContain(secret);
        },
      ),
    );
  });
});

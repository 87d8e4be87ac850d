import { describe, expect, it } from "vitest";

import { checksum, displayFragment, isWellFormedToken, newSecretToken } from "./secret-token.ts";

describe("secret tokens", () => {
  it("have the prefix, 131 random bits and a checksum that validates", () => {
    const token = newSecretToken("personal");
    expect(token).toMatch(/^kw_pat_[0-9A-Za-z]{28}$/);
    expect(isWellFormedToken("personal", token)).toBe(true);
    expect(isWellFormedToken("clientSecret", token)).toBe(false);
    expect(isWellFormedToken("clientSecret", newSecretToken("clientSecret"))).toBe(true);
  });

  it("are different every time", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newSecretToken("personal")));
    expect(tokens.size).toBe(1000);
  });

  it("reject any single changed character", () => {
    const token = newSecretToken("personal");
    for (let i = "kw_pat_".length; i < token.length; i++) {
      const changed = token.slice(0, i) + (token[i] === "a" ? "b" : "a") + token.slice(i + 1);
      expect(isWellFormedToken("personal", changed), `position ${i}`).toBe(false);
    }
  });

  it("reject wrong shapes", () => {
    const token = newSecretToken("personal");
    for (const bad of [
      "",
      "kw_pat_",
      token + "x",
      token.slice(0, -1),
      token.replace("kw_pat_", "kw_pa_"),
      ` ${token}`,
      token.slice(0, 10) + "é" + token.slice(11),
    ]) {
      expect(isWellFormedToken("personal", bad)).toBe(false);
    }
  });

  it("checksum is six base62 characters", () => {
    expect(checksum("kw_pat_x")).toMatch(/^[0-9A-Za-z]{6}$/);
    expect(displayFragment("personal", "kw_pat_abcdefgh")).toBe("kw_pat_…efgh");
  });
});

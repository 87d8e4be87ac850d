import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error.ts";
import { assertCleanText, assertNoNul, isCleanText, uncleanTextPath, withoutNul } from "./no-nul.ts";

function fieldsOf(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, fields: error.extra.fields };
    throw error;
  }
  return "accepted";
}

// Guarantee: text that PostgreSQL would not store as received (NUL, unpaired UTF-16 surrogates)
// is refused where input enters, with a 400 naming the field.
describe("clean text", () => {
  it("accepts well-formed text, including astral characters and U+FFFD", () => {
    for (const text of ["", "plain", "\u202e\u0301\ud83d\ude00", "\ufffd", "a\u00e9"]) {
      expect(isCleanText(text), JSON.stringify(text)).toBe(true);
    }
  });

  it("refuses NUL and every shape of lone surrogate", () => {
    for (const text of ["\u0000", "a\u0000b", "\ud800", "\ud800x", "x\udc00", "\udc00\ud800", "a\ud83d"]) {
      expect(isCleanText(text), JSON.stringify(text)).toBe(false);
      expect(withoutNul(text), "the old name refuses the same").toBe(false);
    }
  });

  it("names the field holding the bad text, as zod does", () => {
    expect(uncleanTextPath({ name: "ok", scopes: ["a", "\ud800x"] })).toBe("scopes.1");
    expect(uncleanTextPath({ a: { b: "x\udc00" } })).toBe("a.b");
    expect(uncleanTextPath({ first: "\ud800", second: "\u0000" })).toBe("first");
    expect(uncleanTextPath({ fine: [1, null, true, { x: "y" }] })).toBeNull();
    expect(fieldsOf(() => assertCleanText({ name: "\ud800x" }))).toEqual({
      code: "invalid",
      fields: [{ path: "name", message: expect.stringContaining("ill-formed Unicode") }],
    });
  });

  it("reports a bad key or a bad top-level string at the value itself, never echoing the text", () => {
    expect(fieldsOf(() => assertNoNul({ "k\ud800": 1 }, "(query)"))).toMatchObject({
      fields: [{ path: "(query)" }],
    });
    expect(fieldsOf(() => assertCleanText({ a: { "\u0000": 1 } }))).toMatchObject({
      fields: [{ path: "a" }],
    });
    expect(fieldsOf(() => assertCleanText("\ud800"))).toMatchObject({ fields: [{ path: "(body)" }] });
  });

  it("copes with deep JSON in linear time", () => {
    const depth = 30_000;
    const deep = JSON.parse("[".repeat(depth) + '"\\ud800"' + "]".repeat(depth)) as unknown;
    const started = performance.now();
    expect(uncleanTextPath(deep)).toBe(Array.from({ length: depth }, () => "0").join("."));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

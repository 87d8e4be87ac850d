import fc from "fast-check";
import type { z } from "zod";

/**
 * Hostile input for property-based tests of every API route and server action: wrong types, empty,
 * huge and unicode strings, null bytes, ill-formed Unicode (lone surrogates, which JSON bodies carry
 * as \u escapes), injection-shaped text, id look-alikes, deep JSON.
 */
const SPECIAL_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "null",
  "undefined",
  "true",
  "-1",
  "1e309",
  "NaN",
  "0x41",
  "../../etc/passwd",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "=cmd|' /C calc'!A0",
  "%00",
  "%2F",
  "usr_",
  "usr_AAAAAAAAAAAAAAAAAAAA",
  "rol_0",
  "tok_x",
  "ses_x",
  "kw_pat_",
  "kw_pat_0000000000000000000000aaaaaa",
  "__proto__",
  "constructor",
  "\u202e\u0301\ud83d\ude00",
  "\ud800",
  "\ud800x",
  "x\udc00",
  "\udc00\ud800",
  "a\ud83d",
  "\ud83d\ude00\ude00",
  "a@b",
  "admin@example.test",
  "2026-13-45",
  "9999-12-31T23:59:59Z",
];

/**
 * Text that is not well-formed UTF-16: code units with lone surrogates among ordinary ones.
 * fast-check's own string arbitraries never make these, not even with unit "binary".
 */
export const illFormedString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }) },
      { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xffff }) },
    ),
    { minLength: 1, maxLength: 24 },
  )
  .map((units) => String.fromCharCode(...units))
  .filter((text) => !text.isWellFormed());

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: illFormedString },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => "x".repeat(n)) },
);

/** Arrays nested this deep (or objects): parsers and validators that recurse must cope. */
export const deepJson = fc
  .integer({ min: 50, max: 5_000 })
  .chain((depth) =>
    fc.constantFrom("[".repeat(depth) + "]".repeat(depth), '{"a":'.repeat(depth) + "1" + "}".repeat(depth)),
  );

export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** The field names of an object schema (through refinements and pipes), for shaped junk. */
export function fieldsOf(schema: z.ZodType | undefined): string[] {
  let current: unknown = schema;
  for (let i = 0; i < 5 && current; i++) {
    const candidate = current as {
      shape?: Record<string, unknown>;
      def?: { in?: unknown; innerType?: unknown };
    };
    if (candidate.shape && typeof candidate.shape === "object") return Object.keys(candidate.shape);
    current = candidate.def?.in ?? candidate.def?.innerType;
  }
  return [];
}

/** An object with the schema's field names (and maybe others), each holding hostile values. */
export function shapedObject(fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  const key = fields.length > 0 ? fc.oneof(fc.constantFrom(...fields), hostileString) : hostileString;
  return fc.dictionary(key, hostileValue, { maxKeys: Math.max(4, fields.length + 2) });
}

/** A JSON request body: shaped junk, any JSON, broken JSON, or deep nesting. */
export function hostileJsonBody(fields: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: shapedObject(fields).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: deepJson },
  );
}

export const hostileContentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/xml",
  "",
);

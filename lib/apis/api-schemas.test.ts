import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { apiIdentifierSchema, importPermissionsSchema, permissionNameSchema } from "./api-schemas.ts";

/** Whatever JSON arrives, the import schema answers with data or issues: it never throws. */
describe("the import schema under arbitrary JSON", () => {
  it("never throws, and what it accepts is well-formed permissions", () => {
    const scopes = fc.dictionary(
      fc.string({ maxLength: 12 }),
      fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue()),
    );
    const doc = fc.record({
      openapi: fc.oneof(fc.constant("3.0.0"), fc.string({ maxLength: 6 })),
      components: fc.oneof(
        fc.jsonValue(),
        fc.record({
          securitySchemes: fc.dictionary(
            fc.string({ maxLength: 8 }),
            fc.oneof(
              fc.jsonValue(),
              fc.record({
                type: fc.constant("oauth2"),
                flows: fc.oneof(fc.jsonValue(), fc.record({ clientCredentials: fc.record({ scopes }) })),
              }),
            ),
          ),
        }),
      ),
    });
    const keyward = fc.record({
      permissions: fc.array(fc.oneof(fc.jsonValue(), fc.record({ name: fc.string({ maxLength: 10 }) })), {
        maxLength: 5,
      }),
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), doc, keyward), (value) => {
        const parsed = importPermissionsSchema.safeParse(value);
        if (!parsed.success) return;
        expect(parsed.data.permissions.length).toBeGreaterThan(0);
        for (const permission of parsed.data.permissions) {
          expect(permissionNameSchema.safeParse(permission.name).success).toBe(true);
          expect(typeof permission.description).toBe("string");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("keeps identifiers to absolute http(s) URIs under arbitrary text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withFragments: true, withQueryParameters: true })),
        (text) => {
          const parsed = apiIdentifierSchema.safeParse(text);
          if (!parsed.success) return;
          const url = new URL(parsed.data);
          expect(["http:", "https:"]).toContain(url.protocol);
          expect(parsed.data).not.toContain("#");
          expect(parsed.data.length).toBeLessThanOrEqual(500);
        },
      ),
      { numRuns: 500 },
    );
  });
});

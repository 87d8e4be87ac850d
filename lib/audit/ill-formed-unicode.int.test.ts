import { describe, expect, it } from "vitest";

import * as passwordSignIn from "@/app/api/auth/sign-in/password/route";
import * as tokens from "@/app/api/v1/tokens/route";
import { developerWith } from "@/test/credentials";
import { signedInCookie, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";

import { db } from "../db/client.ts";
import { recordAudit } from "./record-audit.ts";
import { verifyAuditChain } from "./verify-chain.ts";

type Handler = Parameters<typeof call>[0];
const h = (handler: unknown) => handler as Handler;

// Guarantee (issue 12): text that is not well-formed Unicode never enters, and the audit chain
// hashes exactly what PostgreSQL stores, so no input can make verification fail.
describe("ill-formed Unicode", () => {
  it("is refused by the API with a 400 naming the field, and nothing is written", async () => {
    const { user } = await developerWith(["users.read"]);
    const { cookie } = await signedInCookie(user.id);
    const before = await db.apiToken.count();
    for (const name of ["\ud800x", "x\udc00", "\udc00\ud800"]) {
      const response = await call(h(tokens.POST), {
        cookie,
        // JSON.stringify writes a lone surrogate as a \u escape, exactly as an attacker would send it.
        json: { name, scopes: ["users.read"], expiration: "30" },
      });
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.body).toMatchObject({
        type: "urn:keyward:problem:invalid",
        errors: [{ path: "name", message: expect.stringContaining("ill-formed Unicode") }],
      });
    }
    expect(await db.apiToken.count()).toBe(before);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("is refused by the sign-in routes before any lookup", async () => {
    const response = await call(h(passwordSignIn.POST), {
      json: { email: "someone@example.test", password: "a long enough password \ud800" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ path: "password" }] });
  });

  it("that slips past the door into an audit event is stored as hashed: the chain still verifies", async () => {
    await db.$transaction((tx) =>
      recordAudit(tx, {
        action: "token.created",
        actor: { kind: "user", id: "usr_\ud800", display: "x\udc00@example.test" },
        target: { kind: "token", id: "tok_1", display: "\ud800x" },
        // A user agent cut at 512 code units may end in half a surrogate pair.
        context: { ...TEST_CONTEXT, userAgent: "u".repeat(511) + "\ud83d\ude00" },
        details: { name: "\ud800x", ["k\udfff"]: ["\udc00\ud800", { deep: "a\ud83d" }], nul: "a\u0000b" },
      }),
    );
    const stored = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(stored.targetDisplay).toBe("\ufffdx");
    expect(stored.actorDisplay).toBe("x\ufffd@example.test");
    expect(stored.userAgent).toBe("u".repeat(511) + "\ufffd");
    expect(stored.details).toEqual({
      name: "\ufffdx",
      ["k\ufffd"]: ["\ufffd\ufffd", { deep: "a\ufffd" }],
      nul: "a\ufffdb",
    });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("hashes details as PostgreSQL returns them (jsonb's own number and key forms)", async () => {
    await db.$transaction((tx) =>
      recordAudit(tx, {
        action: "settings.updated",
        actor: { kind: "system", display: "test" },
        context: TEST_CONTEXT,
        details: {
          big: 1e21,
          tiny: 5e-324,
          negativeZero: -0,
          when: new Date("2026-01-01T00:00:00.000Z"),
          gone: undefined,
          list: [undefined, 1.5],
        },
      }),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

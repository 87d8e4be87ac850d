import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { developerWith, makeTestClient, mintTestToken, requestClientToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, present, TEST_CONTEXT } from "../../test/factories.ts";
import { startMailbox } from "../../test/mailbox.ts";
import { daysAgo, mailText } from "../../test/remedies.ts";
import { getConfig } from "../config/env.ts";
import { rotateClientSecret } from "../clients/manage-clients.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { db } from "../db/client.ts";
import { setSetting } from "../settings/settings.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { settleCredentialNotices } from "./credential-notices.ts";
import { setClientSecretExpiry, setTokenExpiry } from "./expiry.ts";
import { setClientSecretExpirySchema, setTokenExpirySchema } from "./remedy-schemas.ts";

/*
 * Guarantee (issue 17): "set an expiry" only ever shortens a credential's life: a token's within
 * the lifetime cap and before the expiry it has; a client's secrets that never end (or end later)
 * get the date; the change is audited, effective on the next request, and the owner hears of it
 * when someone else made it.
 */

const context = TEST_CONTEXT;
const inDays = (days: number) => daysAgo(-days);
let mailbox: Awaited<ReturnType<typeof startMailbox>>;

beforeAll(async () => {
  mailbox = await startMailbox();
});
afterAll(async () => {
  await settleCredentialNotices();
  await mailbox.stop();
});

describe("setting a token's expiry", () => {
  it("gives a token that never expires an expiry, audited, and it stops then", async () => {
    const { principal, user } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"], "90");
    await db.apiToken.update({ where: { id: minted.id }, data: { expiresAt: null } });
    const { principal: admin } = await makePrincipal(["admin"]);
    const at = inDays(10);
    const result = await setTokenExpiry({ actor: admin, tokenId: minted.id, expiresAt: at, context });
    expect(result).toEqual({ expiresAt: at, previous: null });
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } });
    expect(row.expiresAt).toEqual(at);
    expect(await verifyPersonalToken(minted.token)).not.toBeNull();
    expect(await verifyPersonalToken(minted.token, { now: at.getTime() + 1 })).toBeNull();
    const [event] = await db.auditEvent.findMany({
      where: { targetId: minted.id, action: "token.expiry_set" },
    });
    expect(present(event).details).toMatchObject({
      before: { expiresAt: null },
      after: { expiresAt: at.toISOString() },
      owner: { id: user.id },
    });
    await settleCredentialNotices();
    const text = mailText(present(mailbox.received.find((mail) => mail.to.includes(user.email))).raw);
    expect(text).toMatch(/was given an expiry/);
    expect(text).toContain(admin.email);
    expect(text).not.toContain(minted.token);
  });

  it("only shortens: future, within the lifetime cap, earlier than the expiry it has", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"], "30");
    const set = (expiresAt: Date) =>
      setTokenExpiry({ actor: principal, tokenId: minted.id, expiresAt, context });
    expect(await codeOf(set(daysAgo(1)))).toBe("invalid");
    expect(await codeOf(set(inDays(45)))).toBe("invalid");
    await db.$transaction((tx) => setSetting(tx, "tokenMaxLifetimeDays", 20));
    try {
      await db.apiToken.update({ where: { id: minted.id }, data: { expiresAt: null } });
      expect(await codeOf(set(inDays(25)))).toBe("invalid");
      expect(await codeOf(set(inDays(15)))).toBe("ok");
      expect(await codeOf(set(inDays(16)))).toBe("invalid");
      expect(await codeOf(set(inDays(5)))).toBe("ok");
    } finally {
      await db.$transaction((tx) => setSetting(tx, "tokenMaxLifetimeDays", 90));
    }
    await db.apiToken.update({ where: { id: minted.id }, data: { revokedAt: new Date() } });
    expect(await codeOf(set(inDays(2)))).toBe("conflict");
    // The owner's own change sends no notice.
    await settleCredentialNotices();
    expect(mailbox.received.filter((mail) => mail.to.includes(principal.email))).toHaveLength(0);
  });

  it("is for the owner, the token itself and tokens.write, with step-up", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"], "30");
    const at = inDays(7);
    const { principal: stranger } = await makePrincipal(["developer"]);
    expect(
      await codeOf(setTokenExpiry({ actor: stranger, tokenId: minted.id, expiresAt: at, context })),
    ).toBe("not_found");
    const { principal: reader } = await makePrincipal(["auditor"]);
    expect(await codeOf(setTokenExpiry({ actor: reader, tokenId: minted.id, expiresAt: at, context }))).toBe(
      "forbidden",
    );
    const stale = { ...principal, authTime: new Date(Date.now() - 3_600_000) };
    expect(await codeOf(setTokenExpiry({ actor: stale, tokenId: minted.id, expiresAt: at, context }))).toBe(
      "step_up_required",
    );
    const itself = present(await verifyPersonalToken(minted.token));
    expect(await codeOf(setTokenExpiry({ actor: itself, tokenId: minted.id, expiresAt: at, context }))).toBe(
      "ok",
    );
  });

  it("parses a form's date and an API's date-time, and refuses junk", () => {
    const day = setTokenExpirySchema.parse({ tokenId: "tok_abc", expiresAt: "2031-02-03" });
    expect(day.expiresAt.toISOString()).toBe("2031-02-03T23:59:59.999Z");
    const at = setTokenExpirySchema.parse({ tokenId: "tok_abc", expiresAt: "2031-02-03T10:00:00+02:00" });
    expect(at.expiresAt.toISOString()).toBe("2031-02-03T08:00:00.000Z");
    for (const expiresAt of ["tomorrow", "2031-02-30", "2031-02-03\u0000", "", 12]) {
      expect(setTokenExpirySchema.safeParse({ tokenId: "tok_abc", expiresAt }).success).toBe(false);
    }
    expect(
      setClientSecretExpirySchema.safeParse({ clientId: "tok_abc", expiresAt: "2031-02-03" }).success,
    ).toBe(false);
  });
});

describe("setting a client's secret expiry", () => {
  it("makes the secrets that never expire end then; the secret works until and is refused after", async () => {
    const { principal, user } = await developerWith(["users.read"]);
    const created = await makeTestClient(principal, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const at = inDays(30);
    const result = await setClientSecretExpiry({
      actor: admin,
      clientId: created.clientId,
      expiresAt: at,
      context,
    });
    expect(result).toEqual({ expiresAt: at, secrets: 1 });
    const secrets = await db.apiClientSecret.findMany({ where: { clientId: created.clientId } });
    expect(secrets.map((secret) => secret.expiresAt)).toEqual([at]);
    const token = (secret: string) =>
      requestClientToken(created.clientId, secret, { resource: getConfig().apiAudience });
    expect((await token(created.clientSecret)).status).toBe(200);
    await db.apiClientSecret.updateMany({
      where: { clientId: created.clientId },
      data: { expiresAt: daysAgo(1) },
    });
    await db.$transaction((tx) => credentialsChanged(tx, [`client:${created.clientId}`]));
    expect((await token(created.clientSecret)).status).toBe(401);

    const [event] = await db.auditEvent.findMany({
      where: { targetId: created.clientId, action: "client.secret_expiry_set" },
    });
    expect(present(event).details).toMatchObject({
      before: { secrets: [{ expiresAt: null }] },
      after: { expiresAt: at.toISOString() },
    });
    expect(JSON.stringify(present(event).details)).not.toContain(created.clientSecret);
    await settleCredentialNotices();
    const text = mailText(present(mailbox.received.find((mail) => mail.to.includes(user.email))).raw);
    expect(text).toMatch(/rotate the client's secret before that date/);
    expect(text).not.toContain(created.clientSecret);
  });

  it("leaves a rotation's shorter overlap alone and refuses when nothing would change", async () => {
    const { principal } = await developerWith(["users.read"]);
    const created = await makeTestClient(principal, ["users.read"]);
    await rotateClientSecret({ actor: principal, clientId: created.clientId, overlapMinutes: 60, context });
    const at = inDays(20);
    expect(
      await setClientSecretExpiry({ actor: principal, clientId: created.clientId, expiresAt: at, context }),
    ).toEqual({ expiresAt: at, secrets: 1 });
    const ends = await db.apiClientSecret.findMany({
      where: { clientId: created.clientId },
      orderBy: { createdAt: "asc" },
    });
    expect(present(ends[0]?.expiresAt).getTime()).toBeLessThan(Date.now() + 2 * 3_600_000);
    expect(ends[1]?.expiresAt).toEqual(at);
    expect(
      await codeOf(
        setClientSecretExpiry({
          actor: principal,
          clientId: created.clientId,
          expiresAt: inDays(25),
          context,
        }),
      ),
    ).toBe("conflict");
    expect(
      await codeOf(
        setClientSecretExpiry({
          actor: principal,
          clientId: created.clientId,
          expiresAt: inDays(400),
          context,
        }),
      ),
    ).toBe("invalid");
    expect(
      await codeOf(
        setClientSecretExpiry({
          actor: principal,
          clientId: created.clientId,
          expiresAt: daysAgo(1),
          context,
        }),
      ),
    ).toBe("invalid");
  });

  it("is only for who may manage the client, with step-up", async () => {
    const { principal } = await developerWith(["users.read", "users.write"]);
    const created = await makeTestClient(principal, ["users.read", "users.write"]);
    const at = inDays(10);
    const set = (actor: typeof principal) =>
      codeOf(setClientSecretExpiry({ actor, clientId: created.clientId, expiresAt: at, context }));
    const { principal: weaker } = await developerWith(["users.read"]);
    expect(await set(weaker)).toBe("forbidden");
    const { principal: reader } = await makePrincipal(["auditor"]);
    expect(await set(reader)).toBe("forbidden");
    expect(await set({ ...principal, authTime: new Date(Date.now() - 3_600_000) })).toBe("step_up_required");
    expect(
      await db.apiClientSecret.count({ where: { clientId: created.clientId, expiresAt: { not: null } } }),
    ).toBe(0);
  });
});

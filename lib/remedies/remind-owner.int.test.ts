import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, present, TEST_CONTEXT } from "../../test/factories.ts";
import { BOUNCE_DOMAIN, startMailbox } from "../../test/mailbox.ts";
import { mailText } from "../../test/remedies.ts";
import type { Principal } from "../auth/principal.ts";
import { resetConfigForTests } from "../config/env.ts";
import { db } from "../db/client.ts";
import { remindOwnerSchema } from "./remedy-schemas.ts";
import { remindOwner } from "./remind-owner.ts";

/*
 * Guarantee (issue 17): "remind the owner" mails the owner of a token or client, naming it, why it
 * is on the list and what to do, with a link and never a secret; at most once a day per credential
 * and list, also when two clicks race; only with SMTP, for holders of the write permission; a mail
 * server that refuses it is reported, audited, and does not use up the day.
 */

const context = TEST_CONTEXT;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;

beforeAll(async () => {
  mailbox = await startMailbox();
});
afterAll(async () => {
  await mailbox.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The fields the schema refuses, in order. */
const remedySchemaIssues = (input: unknown) =>
  (remindOwnerSchema.safeParse(input).error?.issues ?? []).map((issue) => issue.path.join("."));

const to = (email: string) => mailbox.received.filter((mail) => mail.to.includes(email));

describe("reminding the owner", () => {
  it("mails the token's owner what it is, why it is listed and what to do; once a day per list", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const result = await remindOwner({ actor: admin, risk: "tokens.idle", targetId: minted.id, context });
    expect(result.ownerId).toBe(user.id);
    const [mail] = to(user.email);
    const text = mailText(present(mail).raw);
    expect(text).toMatch(/Tokens unused for 30 days/);
    expect(text).toMatch(/Personal tokens not used in the idle period/);
    expect(text).toMatch(/What to do: Revoke it/);
    expect(text).toContain("http://localhost:3000/tokens");
    expect(text).toContain(admin.email);
    expect(text).toContain("Last used: never");
    expect(text).not.toContain(minted.token);
    const fragment = (await db.apiTokenSecret.findFirstOrThrow({ where: { tokenId: minted.id } })).fragment;
    expect(text).not.toContain(fragment);

    const again = remindOwner({ actor: admin, risk: "tokens.idle", targetId: minted.id, context });
    await expect(again).rejects.toMatchObject({ code: "rate_limited" });
    // Another list is another reminder.
    expect(
      await codeOf(remindOwner({ actor: admin, risk: "tokens.expiring", targetId: minted.id, context })),
    ).toBe("ok");
    expect(to(user.email)).toHaveLength(2);
    const events = await db.auditEvent.findMany({
      where: { targetId: minted.id, action: "credential.owner_reminded" },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => [event.outcome, (event.details as { risk: string }).risk])).toEqual([
      ["success", "tokens.idle"],
      ["success", "tokens.expiring"],
    ]);
    expect(JSON.stringify(events.map((event) => event.details))).not.toContain(minted.token);

    // A day later, the same list may be reminded of again.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 25 * 3_600_000);
    expect(
      await codeOf(remindOwner({ actor: admin, risk: "tokens.idle", targetId: minted.id, context })),
    ).toBe("ok");
  });

  it("sends one mail when two reminders race", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const codes = await Promise.all(
      [1, 2, 3].map(() =>
        codeOf(remindOwner({ actor: admin, risk: "tokens.never_used", targetId: minted.id, context })),
      ),
    );
    expect(codes.sort()).toEqual(["ok", "rate_limited", "rate_limited"]);
    expect(to(user.email)).toHaveLength(1);
  });

  it("mails a client's owner with a link to the client", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const created = await makeTestClient(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    await remindOwner({ actor: admin, risk: "clients.no_expiry", targetId: created.clientId, context });
    const text = mailText(present(to(user.email)[0]).raw);
    expect(text).toMatch(/Client secrets that never expire/);
    expect(text).toContain(`http://localhost:3000/clients/${created.clientId}`);
    expect(text).toContain("Expires: never");
    expect(text).not.toContain(created.clientSecret);
  });

  it("refuses without the write permission, for lists of users, a missing or ownerless target", async () => {
    const { principal: owner } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    const remind = (
      actor: Principal,
      risk: "tokens.idle" | "accounts.dormant" | "clients.idle",
      targetId: string,
    ) => codeOf(remindOwner({ actor, risk, targetId, context }));
    expect(await remind(owner, "tokens.idle", minted.id)).toBe("forbidden");
    const { principal: auditor } = await makePrincipal(["auditor"]);
    expect(await remind(auditor, "tokens.idle", minted.id)).toBe("forbidden");
    const { principal: admin } = await makePrincipal(["admin"]);
    expect(await remind(admin, "accounts.dormant", admin.userId)).toBe("invalid");
    expect(await remind(admin, "tokens.idle", "tok_nothere")).toBe("not_found");
    const created = await makeTestClient(owner, ["users.read"]);
    await db.apiClient.update({ where: { id: created.clientId }, data: { ownerId: null } });
    expect(await remind(admin, "clients.idle", created.clientId)).toBe("conflict");
    await db.apiToken.update({ where: { id: minted.id }, data: { revokedAt: new Date() } });
    expect(await remind(admin, "tokens.idle", minted.id)).toBe("conflict");
    expect(
      await db.auditEvent.count({ where: { action: "credential.owner_reminded", targetId: minted.id } }),
    ).toBe(0);
  });

  it("says so when mail is not configured, and when the mail server refuses (audited, the day not used up)", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const remind = () => remindOwner({ actor: admin, risk: "tokens.idle", targetId: minted.id, context });
    const url = present(process.env.SMTP_URL);
    delete process.env.SMTP_URL;
    resetConfigForTests();
    try {
      await expect(remind()).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringMatching(/email/),
      });
    } finally {
      process.env.SMTP_URL = url;
      resetConfigForTests();
    }
    await db.user.update({ where: { id: user.id }, data: { email: `owner-${minted.id}@${BOUNCE_DOMAIN}` } });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expect(remind()).rejects.toMatchObject({ code: "unavailable" });
      expect(logged.mock.calls.flat().join(" ")).not.toContain(minted.token);
    } finally {
      logged.mockRestore();
    }
    await db.user.update({ where: { id: user.id }, data: { email: user.email } });
    expect(await codeOf(remind())).toBe("ok");
    const outcomes = await db.auditEvent.findMany({
      where: { targetId: minted.id, action: "credential.owner_reminded" },
      orderBy: { id: "asc" },
      select: { outcome: true },
    });
    expect(outcomes.map((event) => event.outcome)).toEqual(["success", "failure", "success"]);
  });

  it("the schema refuses bad input", () => {
    expect(remedySchemaIssues({ risk: "tokens.idle", targetId: "tok_abc" })).toEqual([]);
    expect(remedySchemaIssues({ risk: "tokens.idle", targetId: "tok_abc\u0000" })).toEqual(["targetId"]);
    expect(remedySchemaIssues({ risk: "nope", targetId: "tok_abc" })).toEqual(["risk"]);
    expect(remedySchemaIssues({})).toEqual(["risk", "targetId"]);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { makePrincipal, present, TEST_CONTEXT } from "../../test/factories.ts";
import { BOUNCE_DOMAIN, startMailbox } from "../../test/mailbox.ts";
import { mailText } from "../../test/remedies.ts";
import { deleteClient, setClientEnabled } from "../clients/manage-clients.ts";
import { resetConfigForTests } from "../config/env.ts";
import { db } from "../db/client.ts";
import { revokeToken } from "../tokens/manage-tokens.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { settleCredentialNotices } from "./credential-notices.ts";

/*
 * Guarantee (issue 17): with SMTP, the owner of a token or client hears when someone else revoked
 * the token or disabled or deleted the client (narrowing and expiry: narrow / expiry tests): what,
 * who, what to do, no secret; sent after the commit, and a mail that cannot go never fails or
 * undoes the action. Nobody is told of their own change.
 */

const context = TEST_CONTEXT;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;

beforeAll(async () => {
  mailbox = await startMailbox();
});
afterAll(async () => {
  await settleCredentialNotices();
  await mailbox.stop();
});

async function mailsTo(email: string): Promise<string[]> {
  await settleCredentialNotices();
  return mailbox.received.filter((mail) => mail.to.includes(email)).map((mail) => mailText(mail.raw));
}

describe("telling the owner what someone else did", () => {
  it("a token revoked by an administrator: the owner hears who did it and what to do", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    await revokeToken({ actor: admin, tokenId: minted.id, context });
    const [text, ...more] = await mailsTo(user.email);
    expect(more).toHaveLength(0);
    expect(text).toMatch(/was revoked/);
    expect(text).toContain(admin.email);
    expect(text).toMatch(/mint a new token/);
    expect(text).toContain("http://localhost:3000/tokens");
    expect(text).not.toContain(minted.token);
    // Revoking again changes nothing and says nothing.
    await revokeToken({ actor: admin, tokenId: minted.id, context });
    expect(await mailsTo(user.email)).toHaveLength(1);
  });

  it("nobody is told of their own change: the owner, or the token itself", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const first = await mintTestToken(owner, ["users.read"]);
    const second = await mintTestToken(owner, ["users.read"]);
    await revokeToken({ actor: owner, tokenId: first.id, context });
    await revokeToken({
      actor: present(await verifyPersonalToken(second.token)),
      tokenId: second.id,
      context,
    });
    const created = await makeTestClient(owner, ["users.read"]);
    await setClientEnabled({ actor: owner, clientId: created.clientId, enabled: false, context });
    await deleteClient({ actor: owner, clientId: created.clientId, context });
    expect(await mailsTo(user.email)).toHaveLength(0);
  });

  it("a client disabled, then deleted, by an administrator: one notice each, none for enabling", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const created = await makeTestClient(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    await setClientEnabled({ actor: admin, clientId: created.clientId, enabled: false, context });
    await setClientEnabled({ actor: admin, clientId: created.clientId, enabled: false, context });
    await setClientEnabled({ actor: admin, clientId: created.clientId, enabled: true, context });
    await deleteClient({ actor: admin, clientId: created.clientId, context });
    const texts = await mailsTo(user.email);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/was disabled/);
    expect(texts[0]).toContain(`http://localhost:3000/clients/${created.clientId}`);
    expect(texts[1]).toMatch(/was deleted/);
    expect(texts[1]).toMatch(/register a new client/);
    for (const text of texts) {
      expect(text).toContain(admin.email);
      expect(text).not.toContain(created.clientSecret);
    }
  });

  it("a mail that cannot go is logged without a secret and never fails the action", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    await db.user.update({ where: { id: user.id }, data: { email: `owner-${minted.id}@${BOUNCE_DOMAIN}` } });
    const { principal: admin } = await makePrincipal(["admin"]);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await revokeToken({ actor: admin, tokenId: minted.id, context });
      await settleCredentialNotices();
      expect(logged.mock.calls.flat().join(" ")).toMatch(/could not send a credential notice/);
      expect(logged.mock.calls.flat().join(" ")).not.toContain(minted.token);
    } finally {
      logged.mockRestore();
    }
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } })).revokedAt).not.toBeNull();
  });

  it("without SMTP, or to an owner who is not active, nothing is sent and the action stands", async () => {
    const { principal: owner, user } = await developerWith(["users.read"]);
    const first = await mintTestToken(owner, ["users.read"]);
    const second = await mintTestToken(owner, ["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const url = present(process.env.SMTP_URL);
    delete process.env.SMTP_URL;
    resetConfigForTests();
    try {
      await revokeToken({ actor: admin, tokenId: first.id, context });
    } finally {
      process.env.SMTP_URL = url;
      resetConfigForTests();
    }
    await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
    await revokeToken({ actor: admin, tokenId: second.id, context });
    expect(await mailsTo(user.email)).toHaveLength(0);
    expect(await db.apiToken.count({ where: { userId: user.id, revokedAt: { not: null } } })).toBe(2);
  });
});

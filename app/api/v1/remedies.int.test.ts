import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { V1 } from "@/lib/api/v1-operations";
import { resetConfigForTests } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { settleCredentialNotices } from "@/lib/remedies/credential-notices";
import { developerWith, makeTestClient, mintTestToken } from "@/test/credentials";
import { makePrincipal, makeRole, present, signedInCookie } from "@/test/factories";
import { startMailbox } from "@/test/mailbox";
import { countingBegan, lastDays, madeDaysAgo, mailText, recordUse } from "@/test/remedies";
import { call } from "@/test/requests";

import * as clientNarrow from "./clients/[clientId]/narrow/route";
import * as clientSecretExpiry from "./clients/[clientId]/secret-expiry/route";
import * as notifications from "./me/notifications/route";
import * as remind from "./overview/risks/[risk]/remind/route";
import * as acceptance from "./risk-acceptances/[acceptanceId]/route";
import * as acceptances from "./risk-acceptances/route";
import * as roles from "./roles/route";
import * as tokenExpiry from "./tokens/[tokenId]/expiry/route";
import * as tokenNarrow from "./tokens/[tokenId]/narrow/route";
import * as users from "./users/route";

/*
 * Guarantee (issue 17): the overview's one-click remedies and one's notification choices work
 * through REST API v1 as through the UI: the same domain functions, the same permissions and
 * step-up, answers that are exactly their declared schemas, and bad input a 400 problem, never a 500.
 */

type Handler = Parameters<typeof call>[0];
const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
const PROBLEM = "application/problem+json";

beforeAll(async () => {
  // Per-permission use has been counted long enough to judge a 30-day idle window.
  await countingBegan(90);
});
afterAll(async () => {
  await settleCredentialNotices();
});

/** A token holding users.read, users.write and roles.read, 40 days old, used for users.read only. */
async function overScopedToken() {
  const owner = await developerWith(["users.read", "users.write", "roles.read"]);
  const minted = await mintTestToken(owner.principal, ["users.read", "users.write", "roles.read"], "90");
  await madeDaysAgo("token", minted.id, 40);
  await recordUse("token", minted.id, "users.read", lastDays(31));
  return { owner, minted };
}

/** A session cookie of this user, signed in just now (within the step-up window). */
const cookieOf = async (userId: string) => (await signedInCookie(userId)).cookie;

function post(handler: unknown, options: Parameters<typeof call>[1]) {
  return call(handler as Handler, { method: "POST", ...options });
}

describe("narrowing through the API", () => {
  it("a token used only for users.read over 31 days keeps it: the same secret is refused /roles", async () => {
    // Not called before: a call to /roles would be a use of roles.read, and narrowing would keep it.
    const { owner, minted } = await overScopedToken();

    const response = await post(tokenNarrow.POST, {
      path: `/api/v1/tokens/${minted.id}/narrow`,
      params: { tokenId: minted.id },
      cookie: await cookieOf(owner.user.id),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const result = V1.narrowToken.response.parse(response.body);
    expect(result).toEqual({
      kept: ["users.read"],
      removed: ["roles.read", "users.write"],
      since: expect.any(String),
      changed: true,
    });
    expect(Object.keys(response.body).sort()).toEqual(["changed", "kept", "removed", "since"]);

    const refused = await call(roles.GET as Handler, { path: "/api/v1/roles", bearer: minted.token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect((await call(users.GET as Handler, { path: "/api/v1/users", bearer: minted.token })).status).toBe(
      200,
    );
    expect(await db.auditEvent.count({ where: { targetId: minted.id, action: "token.narrowed" } })).toBe(1);

    // Again, as the token itself: nothing left to remove, nothing recorded.
    const again = await post(tokenNarrow.POST, {
      path: `/api/v1/tokens/${minted.id}/narrow`,
      params: { tokenId: minted.id },
      bearer: minted.token,
    });
    expect(again.status).toBe(200);
    expect(V1.narrowToken.response.parse(again.body)).toMatchObject({ changed: false, removed: [] });
    expect(await db.auditEvent.count({ where: { targetId: minted.id, action: "token.narrowed" } })).toBe(1);
  });

  it("someone else's token: 404 without tokens.read, 403 with tokens.read but not tokens.write", async () => {
    const { minted } = await overScopedToken();
    const outsider = await developerWith(["users.read"]);
    const reader = await makePrincipal([], [(await makeRole(["tokens.read"])).id]);
    const path = `/api/v1/tokens/${minted.id}/narrow`;
    const params = { tokenId: minted.id };

    const hidden = await post(tokenNarrow.POST, { path, params, cookie: await cookieOf(outsider.user.id) });
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("content-type")).toBe(PROBLEM);
    expect(hidden.body.type).toBe("urn:keyward:problem:not_found");

    const seen = await post(tokenNarrow.POST, { path, params, cookie: await cookieOf(reader.user.id) });
    expect(seen.status).toBe(403);
    expect(seen.body.type).toBe("urn:keyward:problem:forbidden");

    // The same for setting its expiry; and a client needs clients.write at all.
    const expiry = await call(tokenExpiry.PUT as Handler, {
      method: "PUT",
      path: `/api/v1/tokens/${minted.id}/expiry`,
      params,
      json: { expiresAt: inDays(7) },
      cookie: await cookieOf(reader.user.id),
    });
    expect(expiry.status).toBe(403);
    const client = await makeTestClient((await makePrincipal(["admin"])).principal, ["users.read"]);
    const noWrite = await post(clientNarrow.POST, {
      path: `/api/v1/clients/${client.clientId}/narrow`,
      params: { clientId: client.clientId },
      cookie: await cookieOf(reader.user.id),
    });
    expect(noWrite.status).toBe(403);
    expect(await db.apiTokenPermission.count({ where: { tokenId: minted.id } })).toBe(3);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } })).expiresAt).toEqual(
      minted.expiresAt,
    );
  });

  it("a session signed in too long ago is asked to step up, and nothing changes", async () => {
    const { owner, minted } = await overScopedToken();
    const { cookie, sessionId } = await signedInCookie(owner.user.id);
    await db.session.update({
      where: { id: sessionId },
      data: { authTime: new Date(Date.now() - 6 * 3_600_000), mfaTime: null },
    });
    const response = await post(tokenNarrow.POST, {
      path: `/api/v1/tokens/${minted.id}/narrow`,
      params: { tokenId: minted.id },
      cookie,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe(PROBLEM);
    expect(response.body.type).toBe("urn:keyward:problem:step_up_required");
    expect(await db.apiTokenPermission.count({ where: { tokenId: minted.id } })).toBe(3);
  });

  it("a client used only for users.read is narrowed to it, under clients.write", async () => {
    const { principal: admin, user } = await makePrincipal(["admin"]);
    const client = await makeTestClient(admin, ["users.read", "roles.read"]);
    await madeDaysAgo("client", client.clientId, 40);
    await recordUse("client", client.clientId, "users.read", lastDays(31));
    const response = await post(clientNarrow.POST, {
      path: `/api/v1/clients/${client.clientId}/narrow`,
      params: { clientId: client.clientId },
      cookie: await cookieOf(user.id),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(V1.narrowClient.response.parse(response.body)).toMatchObject({
      kept: ["users.read"],
      removed: ["roles.read"],
      changed: true,
    });
  });
});

describe("setting an expiry through the API", () => {
  it("a token's expiry moves earlier; the answer is its declared schema", async () => {
    const { owner, minted } = await overScopedToken();
    const expiresAt = inDays(7);
    const response = await call(tokenExpiry.PUT as Handler, {
      method: "PUT",
      path: `/api/v1/tokens/${minted.id}/expiry`,
      params: { tokenId: minted.id },
      json: { expiresAt },
      cookie: await cookieOf(owner.user.id),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(V1.setTokenExpiry.response.parse(response.body)).toEqual({
      expiresAt,
      previous: present(minted.expiresAt).toISOString(),
    });
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } });
    expect(stored.expiresAt?.toISOString()).toBe(expiresAt);
  });

  it("a client's secrets that never expire stop at the date", async () => {
    const { principal: admin, user } = await makePrincipal(["admin"]);
    const client = await makeTestClient(admin, ["users.read"]);
    const response = await call(clientSecretExpiry.PUT as Handler, {
      method: "PUT",
      path: `/api/v1/clients/${client.clientId}/secret-expiry`,
      params: { clientId: client.clientId },
      json: { expiresAt: "2099-01-01" },
      cookie: await cookieOf(user.id),
    });
    // More than a year away: the domain's rule, as a field error.
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: "expiresAt", message: expect.stringMatching(/365 days/) }]);
    const day = inDays(30).slice(0, 10);
    const set = await call(clientSecretExpiry.PUT as Handler, {
      method: "PUT",
      path: `/api/v1/clients/${client.clientId}/secret-expiry`,
      params: { clientId: client.clientId },
      json: { expiresAt: day },
      cookie: await cookieOf(user.id),
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(V1.setClientSecretExpiry.response.parse(set.body)).toEqual({
      expiresAt: `${day}T23:59:59.999Z`,
      secrets: 1,
    });
  });
});

describe("bad input", () => {
  it("answers 400 problem+json, never 500", async () => {
    const { principal: admin, user } = await makePrincipal(["admin"]);
    const cookie = await cookieOf(user.id);
    const { minted } = await overScopedToken();
    const client = await makeTestClient(admin, ["users.read"]);
    const cases: {
      name: string;
      handler: unknown;
      method: string;
      path: string;
      params: Record<string, string>;
      json?: unknown;
    }[] = [
      {
        name: "NUL in a reason",
        handler: acceptances.POST,
        method: "POST",
        path: "/api/v1/risk-acceptances",
        params: {},
        json: { risk: "tokens.idle", targetId: minted.id, reason: "fine\u0000", until: inDays(7) },
      },
      {
        name: "an acceptance in the past",
        handler: acceptances.POST,
        method: "POST",
        path: "/api/v1/risk-acceptances",
        params: {},
        json: { risk: "tokens.idle", targetId: minted.id, reason: "Fine.", until: "2020-01-01" },
      },
      {
        name: "an unknown risk list",
        handler: acceptances.POST,
        method: "POST",
        path: "/api/v1/risk-acceptances",
        params: {},
        json: { risk: "tokens.nope", targetId: minted.id, reason: "Fine.", until: inDays(7) },
      },
      {
        name: "a user id on a list of tokens",
        handler: acceptances.POST,
        method: "POST",
        path: "/api/v1/risk-acceptances",
        params: {},
        json: { risk: "tokens.idle", targetId: user.id, reason: "Fine.", until: inDays(7) },
      },
      {
        name: "not a date",
        handler: tokenExpiry.PUT,
        method: "PUT",
        path: `/api/v1/tokens/${minted.id}/expiry`,
        params: { tokenId: minted.id },
        json: { expiresAt: "next tuesday" },
      },
      {
        name: "a token expiry in the past",
        handler: tokenExpiry.PUT,
        method: "PUT",
        path: `/api/v1/tokens/${minted.id}/expiry`,
        params: { tokenId: minted.id },
        json: { expiresAt: "2020-01-01T00:00:00Z" },
      },
      {
        name: "a client secret expiry in the past",
        handler: clientSecretExpiry.PUT,
        method: "PUT",
        path: `/api/v1/clients/${client.clientId}/secret-expiry`,
        params: { clientId: client.clientId },
        json: { expiresAt: "2020-01-01" },
      },
      {
        name: "a malformed token id",
        handler: tokenNarrow.POST,
        method: "POST",
        path: "/api/v1/tokens/not-a-token/narrow",
        params: { tokenId: "not-a-token" },
      },
      {
        name: "a malformed client id",
        handler: clientNarrow.POST,
        method: "POST",
        path: "/api/v1/clients/cli_$$/narrow",
        params: { clientId: "cli_$$" },
      },
      {
        name: "a malformed acceptance id",
        handler: acceptance.DELETE,
        method: "DELETE",
        path: "/api/v1/risk-acceptances/tok_abc",
        params: { acceptanceId: "tok_abc" },
      },
      {
        name: "an unknown risk list to remind about",
        handler: remind.POST,
        method: "POST",
        path: "/api/v1/overview/risks/tokens.nope/remind",
        params: { risk: "tokens.nope" },
        json: { targetId: minted.id },
      },
      {
        name: "a malformed target id to remind about",
        handler: remind.POST,
        method: "POST",
        path: "/api/v1/overview/risks/tokens.idle/remind",
        params: { risk: "tokens.idle" },
        json: { targetId: "tok_../../etc" },
      },
      {
        name: "a list of users to remind about",
        handler: remind.POST,
        method: "POST",
        path: "/api/v1/overview/risks/accounts.dormant/remind",
        params: { risk: "accounts.dormant" },
        json: { targetId: user.id },
      },
      {
        name: "an unknown risk list to list",
        handler: acceptances.GET,
        method: "GET",
        path: "/api/v1/risk-acceptances?risk=tokens.nope",
        params: {},
      },
      {
        name: "a preference that is not a boolean",
        handler: notifications.PUT,
        method: "PUT",
        path: "/api/v1/me/notifications",
        params: {},
        json: { credentialDigest: "yes", failureAlerts: false },
      },
    ];
    for (const { name, handler, ...request } of cases) {
      const response = await call(handler as Handler, { ...request, cookie });
      expect(response.status, `${name}: ${JSON.stringify(response.body)}`).toBe(400);
      expect(response.headers.get("content-type"), name).toBe(PROBLEM);
      expect(response.body.type, name).toBe("urn:keyward:problem:invalid");
      expect(response.body.errors, name).toEqual(expect.arrayContaining([expect.anything()]));
    }
    // Nothing was accepted, nothing changed.
    expect(await db.riskAcceptance.count({ where: { targetId: { in: [minted.id, user.id] } } })).toBe(0);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } })).expiresAt).toEqual(
      minted.expiresAt,
    );
  });
});

describe("accepting a risk through the API", () => {
  it("accept, list, withdraw: each answer is its declared schema; the item is gone from the live list", async () => {
    const { user } = await makePrincipal(["admin"]);
    const cookie = await cookieOf(user.id);
    const { minted } = await overScopedToken();
    const until = inDays(14);

    const accepted = await call(acceptances.POST as Handler, {
      method: "POST",
      path: "/api/v1/risk-acceptances",
      json: { risk: "tokens.idle", targetId: minted.id, reason: "  A batch job, monthly.  ", until },
      cookie,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    const created = V1.acceptRisk.response.parse(accepted.body);
    expect(created).toEqual({
      id: expect.stringMatching(/^rsk_/),
      risk: "tokens.idle",
      targetKind: "token",
      targetId: minted.id,
      until,
      replaced: [],
    });

    const listed = await call(acceptances.GET as Handler, {
      path: "/api/v1/risk-acceptances?risk=tokens.idle&limit=100",
      cookie,
    });
    expect(listed.status).toBe(200);
    const page = V1.listAcceptedRisks.response.parse(listed.body);
    const mine = page.items.find((item) => item.id === created.id);
    expect(mine).toEqual({
      id: created.id,
      risk: "tokens.idle",
      label: expect.any(String),
      targetKind: "token",
      targetId: minted.id,
      targetName: minted.name,
      reason: "A batch job, monthly.",
      until,
      acceptedAt: expect.any(String),
      acceptedBy: { id: user.id, display: expect.any(String) },
      ended: null,
    });

    const withdrawn = await call(acceptance.DELETE as Handler, {
      method: "DELETE",
      path: `/api/v1/risk-acceptances/${created.id}`,
      params: { acceptanceId: created.id },
      cookie,
    });
    expect(withdrawn.status).toBe(204);
    expect(withdrawn.body).toEqual({});

    const live = V1.listAcceptedRisks.response.parse(
      (await call(acceptances.GET as Handler, { path: "/api/v1/risk-acceptances?limit=100", cookie })).body,
    );
    expect(live.items.map((item) => item.id)).not.toContain(created.id);
    const all = V1.listAcceptedRisks.response.parse(
      (
        await call(acceptances.GET as Handler, {
          path: "/api/v1/risk-acceptances?includeEnded=true&limit=100",
          cookie,
        })
      ).body,
    );
    expect(all.items.find((item) => item.id === created.id)?.ended?.how).toBe("withdrawn");

    const twice = await call(acceptance.DELETE as Handler, {
      method: "DELETE",
      path: `/api/v1/risk-acceptances/${created.id}`,
      params: { acceptanceId: created.id },
      cookie,
    });
    expect(twice.status).toBe(409);
    expect(twice.headers.get("content-type")).toBe(PROBLEM);
    const actions = await db.auditEvent.findMany({
      where: { targetId: minted.id, action: { startsWith: "risk." } },
      select: { action: true },
      orderBy: { id: "asc" },
    });
    expect(actions.map((event) => event.action)).toEqual(["risk.accepted", "risk.acceptance_withdrawn"]);
  });

  it("a bearer token may accept within its scopes; without tokens.write it is refused", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { minted } = await overScopedToken();
    const readOnly = await mintTestToken(admin, ["tokens.read"]);
    const body = { risk: "tokens.idle", targetId: minted.id, reason: "Known.", until: inDays(7) };
    const refused = await post(acceptances.POST, {
      path: "/api/v1/risk-acceptances",
      json: body,
      bearer: readOnly.token,
    });
    expect(refused.status).toBe(403);
    const writer = await mintTestToken(admin, ["tokens.read", "tokens.write"]);
    const accepted = await post(acceptances.POST, {
      path: "/api/v1/risk-acceptances",
      json: body,
      bearer: writer.token,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(V1.acceptRisk.response.parse(accepted.body).targetId).toBe(minted.id);
  });
});

describe("reminding the owner through the API", () => {
  it("without SMTP says so (409); with it, mails the owner once a day", async () => {
    const { user } = await makePrincipal(["admin"]);
    const cookie = await cookieOf(user.id);
    const owner = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner.principal, ["users.read"]);
    const request = {
      path: "/api/v1/overview/risks/tokens.idle/remind",
      params: { risk: "tokens.idle" },
      json: { targetId: minted.id },
      cookie,
    };

    delete process.env.SMTP_URL;
    resetConfigForTests();
    const unconfigured = await post(remind.POST, request);
    expect(unconfigured.status).toBe(409);
    expect(unconfigured.headers.get("content-type")).toBe(PROBLEM);
    expect(unconfigured.body.type).toBe("urn:keyward:problem:conflict");
    expect(String(unconfigured.body.detail)).toMatch(/SMTP_URL/);

    const mailbox = await startMailbox();
    try {
      const sent = await post(remind.POST, request);
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(V1.remindOwner.response.parse(sent.body)).toEqual({
        ownerId: owner.user.id,
        sentAt: expect.any(String),
      });
      const mail = await mailbox.nth(1);
      expect(mail.to).toEqual([owner.user.email]);
      const text = mailText(mail.raw);
      expect(text).toContain(minted.name);
      expect(text).not.toContain(minted.token);

      const again = await post(remind.POST, request);
      expect(again.status).toBe(429);
      expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
      // A missing token is not found; nothing more was sent.
      const missing = await post(remind.POST, { ...request, json: { targetId: "tok_missing0000000000" } });
      expect(missing.status).toBe(404);
      expect(mailbox.received).toHaveLength(1);
    } finally {
      await mailbox.stop();
    }
  });
});

describe("notification choices through the API", () => {
  it("a person reads and sets their own; a bearer credential is refused, whatever it holds", async () => {
    const reader = await developerWith(["users.read"]);
    const cookie = await cookieOf(reader.user.id);
    const read = await call(notifications.GET as Handler, { path: "/api/v1/me/notifications", cookie });
    expect(read.status).toBe(200);
    expect(V1.getMyNotifications.response.parse(read.body)).toEqual({
      credentialDigest: true,
      failureAlerts: false,
      mayReceiveFailureAlerts: false,
    });

    const put = (json: unknown, options: { cookie?: string; bearer?: string }) =>
      call(notifications.PUT as Handler, {
        method: "PUT",
        path: "/api/v1/me/notifications",
        json,
        ...options,
      });
    const off = await put({ credentialDigest: false, failureAlerts: false }, { cookie });
    expect(off.status).toBe(200);
    expect(V1.updateMyNotifications.response.parse(off.body)).toMatchObject({ credentialDigest: false });
    expect((await db.user.findUniqueOrThrow({ where: { id: reader.user.id } })).credentialDigest).toBe(false);

    // The failure alert is for those who may read what it says.
    const alerts = await put({ credentialDigest: false, failureAlerts: true }, { cookie });
    expect(alerts.status).toBe(403);
    expect(alerts.body.type).toBe("urn:keyward:problem:forbidden");

    // A leaked token cannot turn its owner's mail back on or off, nor read the choices.
    const token = await mintTestToken(reader.principal, ["users.read"]);
    for (const response of [
      await put({ credentialDigest: true, failureAlerts: false }, { bearer: token.token }),
      await call(notifications.GET as Handler, { path: "/api/v1/me/notifications", bearer: token.token }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.type).toBe("urn:keyward:problem:session_required");
    }
    expect((await db.user.findUniqueOrThrow({ where: { id: reader.user.id } })).credentialDigest).toBe(false);
  });
});

// Three instances behind HAProxy on one PostgreSQL and Redis: whatever instance a request lands on,
// it answers as one Keyward would. Requests are spread deliberately (spreadChanges, onInstance).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";

import type { Page } from "@playwright/test";

import { SYSTEM_CONTEXT } from "../../lib/auth/principal.ts";
import { createClient } from "../../lib/clients/manage-clients.ts";
import { db } from "../../lib/db/client.ts";
import { mintToken } from "../../lib/tokens/mint-token.ts";
import { makePrincipal, makeRole } from "../../test/factories.ts";
import {
  addPasskey,
  codeFor,
  createTestUser,
  enrollAuthenticator,
  expect,
  rotateSigningKeys,
  signIn,
  submitSignIn,
  test,
  virtualAuthenticator,
} from "../fixtures";
import {
  balancer,
  cluster,
  names,
  onEveryInstance,
  onInstance,
  origin,
  spreadChanges,
} from "./cluster-info.ts";

test.afterEach(async () => {
  await balancer.unpin();
});

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Someone who may read users and mint a token for it, through one custom role. */
const reader = async () => makePrincipal([], [(await makeRole(["users.read", "tokens.create"])).id]);

/** A step's changes (at least `steps` of them) each served by another instance than the one before. */
function expectSpread(landings: { servedBy: string; path: string }[], steps: number) {
  const served = landings.map((landing) => landing.servedBy);
  expect(served.length, JSON.stringify(landings)).toBeGreaterThanOrEqual(steps);
  expect(served.every((name) => names.includes(name))).toBe(true);
  for (let i = 1; i < served.length; i++) expect(served[i]).not.toBe(served[i - 1]);
}

test("three instances started at once on an empty database took turns: each migration applied once", async () => {
  const logs = cluster.instances.map((instance) => fs.readFileSync(instance.log, "utf8"));
  expect(logs.filter((log) => log.includes("[keyward] Applied migrations:"))).toHaveLength(1);
  expect(logs.some((log) => log.includes("Another instance is starting on this database"))).toBe(true);
  const rows = await db.$queryRaw<{ name: string; runs: number; unfinished: number }[]>`
    SELECT migration_name AS name, count(*)::int AS runs,
           count(*) FILTER (WHERE finished_at IS NULL OR rolled_back_at IS NOT NULL)::int AS unfinished
    FROM _prisma_migrations GROUP BY migration_name`;
  const folders = fs
    .readdirSync("prisma/migrations", { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  expect(rows.map((row) => row.name).sort()).toEqual(folders.sort());
  expect(rows.filter((row) => row.runs !== 1 || row.unfinished !== 0)).toEqual([]);
  // The bootstrap ran in turn too: one instance created the administrator from the environment,
  // the others found setup closed.
  expect(logs.filter((log) => log.includes("[keyward] Created the administrator"))).toHaveLength(1);
  expect(await db.user.count({ where: { email: "cluster-admin@example.test" } })).toBe(1);
});

test("a sign-in with password and TOTP, a passkey ceremony and a step-up, each step on another instance", async ({
  page,
}) => {
  const user = await createTestUser({ label: "spread" });
  await virtualAuthenticator(page, { resident: true, userVerification: true, transport: "internal" });
  const landings = await spreadChanges(page);

  await page.goto("/login");
  await signIn(page, user);
  const { secret } = await enrollAuthenticator(page);
  await signOut(page);

  // Password on one instance, the code on the next, the session on the one after.
  landings.length = 0;
  await submitSignIn(page, user);
  // The next period's code: the current one was spent on enrolling (codes are single-use).
  await page.getByLabel("Authenticator code").fill(await codeFor(secret, 30));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
  expectSpread(landings, 3);
  const everywhere = new Set(landings.map((landing) => landing.servedBy));

  // A passkey: its options from one instance, its attestation checked by another.
  landings.length = 0;
  await addPasskey(page, "Cluster passkey");
  expectSpread(landings, 2);
  await signOut(page);
  landings.length = 0;
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
  expectSpread(landings, 2);

  // A step-up: the sign-in is no longer recent; the passkey's assertion is checked on one instance
  // and the sensitive change it unlocks is made on others.
  const session = await db.session.findFirstOrThrow({
    where: { userId: user.id, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  await db.session.update({
    where: { id: session.id },
    data: { authTime: new Date(Date.now() - 11 * 60_000) },
  });
  landings.length = 0;
  await page.goto("/account/security");
  await page
    .getByRole("form", { name: "Remove Authenticator app" })
    .getByRole("button", { name: "Remove", exact: true })
    .click();
  await page
    .getByRole("dialog", { name: "Remove Authenticator app?" })
    .getByRole("button", { name: "Remove" })
    .click();
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(confirm).toBeVisible();
  expect(await db.totpFactor.count({ where: { userId: user.id } })).toBe(1);
  // With two factors enrolled, the passkey alone proves both.
  await confirm.getByRole("button", { name: "Use a passkey instead" }).click();
  await expect(page.getByRole("region", { name: "Sign out your other sessions?" })).toBeVisible();
  expect(await db.totpFactor.count({ where: { userId: user.id } })).toBe(0);
  expectSpread(landings, 3);
  expect(everywhere).toEqual(new Set(names));
});

test("a revoked token, a disabled user and a removed role are refused by every instance on the next request", async () => {
  const { principal: admin } = await makePrincipal(["admin"]);
  const adminToken = await mintToken({
    actor: admin,
    name: `cluster admin ${randomBytes(3).toString("hex")}`,
    // Removing a role takes holding what it grants (tokens.create among them).
    scopes: ["users.read", "users.write", "roles.read", "roles.write", "tokens.create"],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  const { principal: member, user } = await reader();
  const mint = () =>
    mintToken({
      actor: member,
      name: `cluster ${randomBytes(3).toString("hex")}`,
      scopes: ["users.read"],
      expiration: "7",
      context: SYSTEM_CONTEXT,
    });

  // Revocation, through the first instance; each instance has the token cached (asked twice).
  const revoked = await mint();
  for (let i = 0; i < 2; i++)
    expect(await onEveryInstance("/api/v1/users?limit=1", bearer(revoked.token))).toEqual([200, 200, 200]);
  expect(
    (await onInstance("k1", `/api/v1/tokens/${revoked.id}`, { method: "DELETE", ...bearer(revoked.token) }))
      .status,
  ).toBe(204);
  expect(await onEveryInstance("/api/v1/users?limit=1", bearer(revoked.token))).toEqual([401, 401, 401]);

  // A role removed on the second instance: the token keeps its scope but its owner lost the
  // permission behind it.
  const token = await mint();
  for (let i = 0; i < 2; i++)
    expect(await onEveryInstance("/api/v1/users?limit=1", bearer(token.token))).toEqual([200, 200, 200]);
  const role = await db.roleAssignment.findFirstOrThrow({ where: { userId: user.id } });
  const removed = await onInstance("k2", `/api/v1/users/${user.id}/roles/${role.roleId}`, {
    method: "DELETE",
    ...bearer(adminToken.token),
  });
  expect(removed.status, await removed.clone().text()).toBe(200);
  expect(await onEveryInstance("/api/v1/users?limit=1", bearer(token.token))).toEqual([403, 403, 403]);

  // A disabled owner, through the third instance.
  const { principal: other, user: otherUser } = await reader();
  const theirs = await mintToken({
    actor: other,
    name: "cluster disabled",
    scopes: ["users.read"],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  for (let i = 0; i < 2; i++)
    expect(await onEveryInstance("/api/v1/users?limit=1", bearer(theirs.token))).toEqual([200, 200, 200]);
  const disabled = await onInstance("k3", `/api/v1/users/${otherUser.id}/disable`, {
    method: "POST",
    ...bearer(adminToken.token),
  });
  expect(disabled.status, await disabled.clone().text()).toBe(200);
  expect(await onEveryInstance("/api/v1/users?limit=1", bearer(theirs.token))).toEqual([401, 401, 401]);
});

test("a settings change and a signing-key rotation made on one instance are obeyed by the others at once", async ({
  page,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const { principal: owner } = await makePrincipal(["admin"]);
  const client = await createClient({
    actor: owner,
    name: `cluster client ${randomBytes(3).toString("hex")}`,
    description: "",
    scopes: ["users.read"],
    context: SYSTEM_CONTEXT,
  });
  const tokenFrom = async (name: string) => {
    const answer = await onInstance(name, "/api/oauth/token", {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
    return (await answer.json()) as { access_token: string; expires_in: number };
  };
  // Every instance has read the settings (and cached them) before the change.
  for (const name of names) expect((await tokenFrom(name)).expires_in).toBe(15 * 60);

  await balancer.pin("k1");
  await page.goto("/login");
  await signIn(page, admin);
  await page.goto("/settings");
  await page.getByLabel("Client access token lifetime (minutes)").fill("7");
  await page.getByRole("button", { name: "Save credential settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
  try {
    for (const name of names) expect((await tokenFrom(name)).expires_in).toBe(7 * 60);

    // Rotation on k1: a token signed with the new key is accepted by the others at once.
    const jwksBefore = (await (await onInstance("k2", "/.well-known/jwks.json")).json()) as {
      keys: { kid: string }[];
    };
    await rotateSigningKeys(page);
    const fresh = await tokenFrom("k1");
    const kid = JSON.parse(Buffer.from(fresh.access_token.split(".")[0] ?? "", "base64url").toString())
      .kid as string;
    expect(jwksBefore.keys.map((key) => key.kid)).not.toContain(kid);
    for (const name of ["k2", "k3"]) {
      const jwks = (await (await onInstance(name, "/.well-known/jwks.json")).json()) as {
        keys: { kid: string }[];
      };
      expect(jwks.keys.map((key) => key.kid)).toContain(kid);
    }
    expect(await onEveryInstance("/api/v1/users?limit=1", bearer(fresh.access_token))).toEqual([
      200, 200, 200,
    ]);
  } finally {
    await page.goto("/settings");
    await page.getByLabel("Client access token lifetime (minutes)").fill("15");
    await page.getByRole("button", { name: "Save credential settings" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
  }
});

test("per-credential and sign-in limits hold exactly with guesses spread over the three instances", async () => {
  // A token's budget per minute (KEYWARD_API_RATE_LIMIT), shared through Redis.
  const { principal } = await reader();
  const token = await mintToken({
    actor: principal,
    name: "cluster limited",
    scopes: ["users.read"],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  const extra = 20;
  const answers = await Promise.all(
    Array.from({ length: cluster.apiRateLimit + extra }, (_, i) =>
      onInstance(names[i % names.length] ?? "k1", "/api/v1/me", bearer(token.token)).then(
        (answer) => answer.status,
      ),
    ),
  );
  expect(answers.filter((status) => status === 200)).toHaveLength(cluster.apiRateLimit);
  expect(answers.filter((status) => status === 429)).toHaveLength(extra);

  // Wrong passwords for one account, from one address, ten on each instance at once: the account's
  // limit (10 per 15 minutes, in PostgreSQL) lets exactly ten be checked.
  const victim = await createTestUser({ label: "victim" });
  const guesses = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      onInstance(names[i % names.length] ?? "k1", "/api/auth/sign-in/password", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: victim.email, password: `wrong guess ${i}` }),
        clientIp: "198.51.100.77",
      }).then((answer) => answer.status),
    ),
  );
  expect(guesses.filter((status) => status === 401)).toHaveLength(10);
  expect(guesses.filter((status) => status === 429)).toHaveLength(20);
  expect(
    await db.auditEvent.count({ where: { action: "auth.sign_in_failed", actorDisplay: victim.email } }),
  ).toBeLessThanOrEqual(10);
  // And the right password is refused too while the account is locked, on every instance.
  for (const name of names) {
    const answer = await onInstance(name, "/api/auth/sign-in/password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: victim.email, password: victim.password }),
      clientIp: "198.51.100.77",
    });
    expect(answer.status).toBe(429);
  }
});

test("each instance exports its own metrics on its loopback port, and they add up to what the balancer sent", async () => {
  const served = async () => {
    const counts: number[] = [];
    for (const instance of cluster.instances) {
      const answer = await fetch(instance.metricsUrl);
      expect(answer.status).toBe(200);
      const text = await answer.text();
      // The HTTP requests this instance answered for the liveness route (not the health checks'
      // readiness route), summed over its series.
      counts.push(
        [...text.matchAll(/^keyward_http_requests_total\{[^}]*route="\/api\/health"[^}]*\} (\d+)/gm)].reduce(
          (sum, match) => sum + Number(match[1]),
          0,
        ),
      );
    }
    return counts;
  };
  const before = await served();
  for (let i = 0; i < 9; i++) await (await fetch(`${origin}/api/health`)).arrayBuffer();
  const after = await served();
  const added = after.map((count, i) => count - (before[i] ?? 0));
  // Round-robin: the nine landed on all three, and every one was counted once.
  expect(added.reduce((sum, n) => sum + n, 0)).toBe(9);
  expect(added.every((n) => n > 0)).toBe(true);
});

test("the audit chain verifies after parallel writes through all three instances", async () => {
  const { principal: admin } = await makePrincipal(["admin"]);
  const adminToken = await mintToken({
    actor: admin,
    name: "cluster auditor",
    scopes: ["roles.read", "roles.write", "audit.read"],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  const before = await db.auditEvent.count();
  const writes = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      onInstance(names[i % names.length] ?? "k1", "/api/v1/roles", {
        method: "POST",
        headers: { authorization: `Bearer ${adminToken.token}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: `Cluster role ${i} ${randomBytes(3).toString("hex")}`,
          permissions: [],
        }),
      }).then((answer) => answer.status),
    ),
  );
  expect(writes.filter((status) => status === 201)).toHaveLength(30);
  expect(await db.auditEvent.count()).toBeGreaterThanOrEqual(before + 30);
  const verify = spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    encoding: "utf8",
  });
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  expect(verify.stdout).toMatch(/Head: \d+:[0-9a-f]+/);
});

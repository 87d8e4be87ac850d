import { spawnSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { makeUser, signedInCookie, uniqueEmail } from "../test/factories.ts";
import { resolveSession } from "../lib/auth/sessions.ts";
import { db } from "../lib/db/client.ts";
import { serverUrl } from "../test/database.ts";
import { verifyPersonalToken } from "../lib/tokens/verify-token.ts";
import { verifyClientSecret } from "../lib/clients/verify-client-secret.ts";

const admin = (args: string[], input = "") =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
    input,
    encoding: "utf8",
    env: process.env,
  });

// Guarantee: the operator CLI applies the same rules as the app and audits as the OS user.
// A second process needs a second connection: the in-memory test database serves one, so these
// run against a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL, as in CI).
describe.skipIf(!serverUrl())("npm run admin", () => {
  it("creates an administrator with the password from standard input, refusing a weak one", async () => {
    const email = uniqueEmail("ops");
    const weak = admin(["create-admin", "--email", email], "short\n");
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain("Use at least 12 characters.");

    const ok = admin(["create-admin", "--email", email, "--name", "Ops"], "mellow harbor lantern river\n");
    expect(ok.stdout).toContain(`Created the administrator ${email}.`);
    const user = await db.user.findUniqueOrThrow({
      where: { email },
      include: { roles: { include: { role: true } } },
    });
    expect(user.roles.map((r) => r.role.builtInKey)).toEqual(["admin"]);
    const event = await db.auditEvent.findFirst({ where: { action: "user.created", targetId: user.id } });
    expect(event?.actorDisplay).toMatch(/^cli:/);
  }, 60_000);

  it("disables a user, ending their sessions, and says so for an unknown email", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    const result = admin(["disable-user", "--email", user.email]);
    expect(result.stdout).toContain("is now disabled");
    expect(await resolveSession(sessionId)).toBeNull();
    const unknown = admin(["disable-user", "--email", uniqueEmail()]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("No user has the email");
  }, 60_000);

  it("mints a token for a user within their permissions, printed once and audited as the operator", async () => {
    const user = await makeUser({ roles: ["developer"] });
    const ok = admin([
      "create-token",
      "--user",
      user.email,
      "--scopes",
      "clients.read,tokens.create",
      "--expires",
      "7",
    ]);
    expect(ok.status).toBe(0);
    const token = ok.stdout.trim();
    expect(token).toMatch(/^kw_pat_[0-9A-Za-z]{28}$/);
    const principal = await verifyPersonalToken(token);
    expect(principal?.userId).toBe(user.id);
    expect([...(principal?.permissions ?? [])].sort()).toEqual(["clients.read", "tokens.create"]);
    const event = await db.auditEvent.findFirst({
      where: { action: "token.created", targetId: principal?.tokenId },
    });
    expect(event?.actorDisplay).toMatch(/^cli:/);
    expect(JSON.stringify(event?.details)).not.toContain(token);

    const beyond = admin(["create-token", "--user", user.email, "--scopes", "users.write"]);
    expect(beyond.status).toBe(1);
    expect(beyond.stderr).toContain("users.write");
    const tooLong = admin([
      "create-token",
      "--user",
      user.email,
      "--scopes",
      "clients.read",
      "--expires",
      "never",
    ]);
    expect(tooLong.status).toBe(1);
    expect(tooLong.stderr).toContain("expire");
  }, 60_000);

  it("registers a client for a user within their permissions, the secret printed once and audited as the operator", async () => {
    const user = await makeUser({ roles: ["developer"] });
    const ok = admin([
      "create-client",
      "--owner",
      user.email,
      "--name",
      "billing sync",
      "--scopes",
      "clients.read tokens.create",
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    const secret = ok.stdout.trim();
    expect(secret).toMatch(/^kw_cs_/);
    const clientId = /client ID (cli_\w+)/.exec(ok.stderr)?.[1] ?? "";
    const state = await verifyClientSecret(clientId, secret);
    expect(state?.ownerActive).toBe(true);
    expect([...(state?.effectiveScopes ?? [])].sort()).toEqual(["clients.read", "tokens.create"]);
    const client = await db.apiClient.findUniqueOrThrow({ where: { id: clientId } });
    expect(client.ownerId).toBe(user.id);
    const event = await db.auditEvent.findFirst({ where: { action: "client.created", targetId: clientId } });
    expect(event?.actorDisplay).toMatch(/^cli:/);
    expect(JSON.stringify(event?.details)).not.toContain(secret);
    expect(ok.stderr).not.toContain(secret);

    // The owner's permissions bound it, as in the app.
    const beyond = admin(["create-client", "--owner", user.email, "--name", "x", "--scopes", "users.write"]);
    expect(beyond.status).toBe(1);
    expect(beyond.stderr).toContain("users.write");
    expect(beyond.stdout).toBe("");
    const member = await makeUser({ roles: ["member"] });
    const noRight = admin([
      "create-client",
      "--owner",
      member.email,
      "--name",
      "x",
      "--scopes",
      "clients.read",
    ]);
    expect(noRight.status).toBe(1);
    expect(noRight.stderr).toContain("clients.write");
    const unnamed = admin(["create-client", "--owner", user.email, "--scopes", "clients.read"]);
    expect(unnamed.status).toBe(1);
  }, 60_000);

  it("rotates a client secret with an overlap, printed once and audited as the operator", async () => {
    const user = await makeUser({ roles: ["developer"] });
    const created = admin([
      "create-client",
      "--owner",
      user.email,
      "--name",
      "deploy",
      "--scopes",
      "clients.read",
    ]);
    const clientId = /client ID (cli_\w+)/.exec(created.stderr)?.[1] ?? "";
    const first = created.stdout.trim();

    const rotated = admin(["rotate-client-secret", "--client", clientId, "--overlap", "60"]);
    expect(rotated.status, rotated.stderr).toBe(0);
    const second = rotated.stdout.trim();
    expect(second).toMatch(/^kw_cs_/);
    expect(second).not.toBe(first);
    expect(rotated.stderr).toContain("keeps working until");
    expect(await verifyClientSecret(clientId, first)).not.toBeNull();
    expect(await verifyClientSecret(clientId, second)).not.toBeNull();
    const event = await db.auditEvent.findFirst({
      where: { action: "client.secret_rotated", targetId: clientId },
    });
    expect(event?.actorDisplay).toMatch(/^cli:/);
    expect(event?.details).toMatchObject({ overlapMinutes: 60 });

    const now = admin(["rotate-client-secret", "--client", clientId]);
    expect(now.status).toBe(0);
    // Without an overlap every earlier secret is gone (this process's cache hears of it through
    // NOTIFY, asynchronously: the rows are the proof).
    expect(await db.apiClientSecret.count({ where: { clientId } })).toBe(1);
    expect(await verifyClientSecret(clientId, now.stdout.trim())).not.toBeNull();

    // The owner must still be able to manage it.
    await db.roleAssignment.deleteMany({ where: { userId: user.id } });
    const orphaned = admin(["rotate-client-secret", "--client", clientId]);
    expect(orphaned.status).toBe(1);
    expect(orphaned.stderr).toContain("clients.write");
    expect(orphaned.stdout).toBe("");
    const unknown = admin(["rotate-client-secret", "--client", "cli_missing0000000000000"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("not found");
    const tooLong = admin(["rotate-client-secret", "--client", clientId, "--overlap", "99999"]);
    expect(tooLong.status).toBe(1);
  }, 60_000);

  it("prints the usage for --help and help, exiting 0", () => {
    for (const args of [["--help"], ["help"], ["-h"], []]) {
      const result = admin(args);
      expect(result.status, args.join(" ")).toBe(0);
      expect(result.stdout).toContain("create-client");
      expect(result.stdout).toContain("rotate-client-secret");
    }
  }, 60_000);
});

import { spawnSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { makeUser, signedInCookie, uniqueEmail } from "../test/factories.ts";
import { resolveSession } from "../lib/auth/sessions.ts";
import { db } from "../lib/db/client.ts";
import { serverUrl } from "../test/database.ts";
import { verifyPersonalToken } from "../lib/tokens/verify-token.ts";

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
});

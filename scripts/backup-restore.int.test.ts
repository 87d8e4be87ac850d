import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { decodeProtectedHeader } from "jose";
import { generate } from "otplib";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { keyId } from "../lib/crypto/encryption.ts";
import { db } from "../lib/db/client.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "../lib/mfa/enroll-totp.ts";
import { clientAccessToken, developerWith, makeTestClient, mintTestToken } from "../test/credentials.ts";
import { adminQuery, quoteIdent, serverUrl, uniqueName, withDatabase } from "../test/database.ts";
import { TEST_CONTEXT } from "../test/factories.ts";
import type { Outcome, RehearsalInput } from "../test/restored-instance.ts";

// Guarantee: a pg_dump of a live Keyward database, restored with pg_restore into a fresh database
// and opened with the same KEYWARD_ENCRYPTION_KEY, is the same installation: its audit chain
// verifies against the head exported before the backup, a personal token and a client access token
// issued before it still work, the restored signing key signs new tokens, and an authenticator
// still gives codes that verify. With another encryption key the restored TOTP secrets and signing
// keys cannot be read, so the key must be backed up with the database (README, "Backups").
// pg_dump and a second process need a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL, as in CI).

const pgDumpVersion = spawnSync("pg_dump", ["--version"], { encoding: "utf8" });
const hasPgDump = pgDumpVersion.status === 0;
const skipReason = !serverUrl()
  ? "no PostgreSQL server (TEST_DATABASE_URL)"
  : !hasPgDump
    ? "pg_dump is not installed (apt-get install postgresql-client)"
    : null;
if (skipReason) console.warn(`[backup-restore] skipped: ${skipReason}`);

const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", env });

/** `npm run audit:verify` against the given database and key, as an operator would run it. */
const auditVerify = (url: string, key: string, ...args: string[]) =>
  tsx("scripts/audit-verify.ts", args, { ...process.env, DATABASE_URL: url, KEYWARD_ENCRYPTION_KEY: key });

const headOf = (stdout: string) => /^Head: (\d+:[0-9a-f]{64})$/m.exec(stdout)?.[1];

/** A fresh Keyward process on the restored database (test/restored-instance.ts). */
function restoredInstance(url: string, key: string, input: RehearsalInput) {
  const run = tsx("test/restored-instance.ts", [], {
    ...process.env,
    DATABASE_URL: url,
    KEYWARD_ENCRYPTION_KEY: key,
    KEYWARD_ENCRYPTION_KEYS_PREVIOUS: "",
    KEYWARD_REHEARSAL_INPUT: JSON.stringify(input),
  });
  if (run.status !== 0) throw new Error(`the restored instance failed (${run.status}): ${run.stderr}`);
  const line = run.stdout.trim().split("\n").pop() ?? "{}";
  return { results: JSON.parse(line) as Record<string, Outcome>, stderr: run.stderr };
}

/** One query on the restored database, on a connection of its own. */
async function queryRestored<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const valueOf = (outcome: Outcome | undefined) => {
  if (!outcome?.ok) throw new Error(`expected an answer, got ${outcome?.error ?? "nothing"}`);
  return outcome.value;
};

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-backup-"));
const restored: string[] = [];
afterAll(async () => {
  fs.rmSync(folder, { recursive: true, force: true });
  const url = serverUrl();
  if (!url) return;
  for (const name of restored)
    await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
});

describe.skipIf(skipReason !== null)("backup and restore rehearsal (pg_dump, pg_restore)", () => {
  it("a restored database with the same key is the same installation; with another key its secrets stay sealed", async () => {
    const sourceUrl = process.env.DATABASE_URL as string;
    const key = process.env.KEYWARD_ENCRYPTION_KEY as string;

    // An installation past its first thousand audit positions, so that the chain's head carries a
    // checkpoint signed under the key (recordAudit writes one every 1000 positions).
    await db.$executeRaw`SELECT setval('"AuditEvent_id_seq"', (SELECT last_value + 1000 FROM "AuditEvent_id_seq"))`;
    // A user with a personal token, an API client (and so a signing key, on first issuance), then an
    // authenticator: each through the real functions, each audited.
    const { user, principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"]);
    const client = await makeTestClient(principal, ["users.read"]);
    const accessToken = await clientAccessToken(client.clientId, client.clientSecret);
    const kid = decodeProtectedHeader(accessToken).kid;
    // Confirmed with the previous step's code, so that the current one is fresh after the restore.
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret, epoch: Math.floor(Date.now() / 1000) - 30 }),
      context: TEST_CONTEXT,
    });
    expect(await db.auditHeadCheckpoint.count()).toBeGreaterThan(0);

    // The head to keep with the backup.
    const before = auditVerify(sourceUrl, key);
    expect(before.status).toBe(0);
    const head = headOf(before.stdout);
    expect(head).toBeDefined();

    // Back up (custom format) and restore into a fresh, empty database.
    const dump = path.join(folder, "keyward.dump");
    const dumped = spawnSync("pg_dump", ["--format=custom", "--file", dump, "--dbname", sourceUrl], {
      encoding: "utf8",
    });
    expect(dumped.stderr).toBe("");
    expect(dumped.status).toBe(0);
    const name = uniqueName("keyward_restore");
    restored.push(name);
    await adminQuery(sourceUrl, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
    const restoredUrl = withDatabase(sourceUrl, name);
    const restoring = spawnSync(
      "pg_restore",
      ["--no-owner", "--exit-on-error", "--dbname", restoredUrl, dump],
      { encoding: "utf8" },
    );
    expect(restoring.stderr).toBe("");
    expect(restoring.status).toBe(0);
    const [newest] = await queryRestored<{ head: string }>(
      restoredUrl,
      `SELECT id::text || ':' || hash AS head FROM "AuditEvent" ORDER BY id DESC LIMIT 1`,
    );
    expect(newest?.head).toBe(head);

    // The restored chain verifies against the exported head, with the same key.
    const verified = auditVerify(restoredUrl, key, "--expect-head", head as string);
    expect(verified.stderr).toBe("");
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(
      /The audit chain is intact: \d+ events checked\. It passes through [1-9]\d* signed checkpoint\(s\) and the expected head\./,
    );

    // A fresh instance on the restore, same key: everything made before the backup works.
    const input: RehearsalInput = {
      userId: user.id,
      totpSecret: enrollment.secret,
      token: minted.token,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      accessToken,
    };
    const same = restoredInstance(restoredUrl, key, input).results;
    expect(valueOf(same.migrations)).toEqual([]); // Prisma's bookkeeping came along: nothing to apply
    expect(valueOf(same.personalToken)).toEqual({ status: 200, id: user.id });
    expect(valueOf(same.earlierAccessToken)).toBe(true);
    expect(valueOf(same.newAccessToken)).toEqual({ status: 200, kid, usable: true }); // the restored key signed it
    expect(valueOf(same.totp)).toBe(true);

    // Another key: hashed secrets still verify, but what is encrypted under the key cannot be read,
    // and says so (the process answers, and names the key it lacks).
    const otherKey = randomBytes(32).toString("base64");
    const signingKeys = `SELECT count(*)::int AS n FROM "SigningKey"`;
    const [keysBefore] = await queryRestored<{ n: number }>(restoredUrl, signingKeys);
    const other = restoredInstance(restoredUrl, otherKey, input);
    const missing = `no key with id ${keyId(Buffer.from(key, "base64"))}`;
    expect(valueOf(other.results.personalToken)).toEqual({ status: 200, id: user.id });
    expect(valueOf(other.results.earlierAccessToken)).toBe(true); // public keys are not encrypted
    expect(other.results.totp).toEqual({ ok: false, error: `DecryptionError: ${missing}` });
    expect(valueOf(other.results.newAccessToken)).toEqual({ status: 500, error: "server_error" });
    expect(other.stderr).toContain(`token endpoint failed: DecryptionError: ${missing}`);
    // ...and no new signing key was made in place of the unreadable one.
    expect(await queryRestored(restoredUrl, signingKeys)).toEqual([keysBefore]);
    const unsigned = auditVerify(restoredUrl, otherKey, "--expect-head", head as string);
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toContain("the signed head checkpoint's signature is not valid");
  }, 60_000);
});

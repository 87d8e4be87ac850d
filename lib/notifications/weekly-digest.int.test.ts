import { spawn } from "node:child_process";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import { developerWith, makeTestClient, mintTestToken } from "@/test/credentials";
import { startMailbox, type ReceivedMail } from "@/test/mailbox";

import { isoWeek } from "../jobs/periods.ts";
import { sendWeeklyDigest } from "./weekly-digest.ts";

const DAY = 86_400_000;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
beforeAll(async () => {
  mailbox = await startMailbox();
});
afterAll(async () => {
  await mailbox.stop();
});

/** The message's text as written (quoted-printable soft breaks and escapes undone). */
const bodyOf = (mail: ReceivedMail) =>
  mail.raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** An owner with an idle token, so the digest has something to tell them. */
async function ownerWithIdleToken(now: Date) {
  const { user, principal } = await developerWith(["users.read"]);
  const token = await mintTestToken(principal, ["users.read"], "90");
  await db.apiToken.update({
    where: { id: token.id },
    data: { lastUsedAt: new Date(now.getTime() - 40 * DAY) },
  });
  return { user, principal, token };
}

/** Runs the digest tick in its own OS process, as a second instance would. */
function instance(now: Date, startAt: number): Promise<{ ran: boolean; emails: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(
    process.execPath,
    [path.join("test", "digest-instance.ts"), now.toISOString(), String(startAt)],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { ran: boolean; emails: number })
        : reject(new Error(`the instance exited with ${code}: ${err}`)),
    ),
  );
}

describe("the weekly digest", () => {
  it("mails each active owner with something to say once a week, and nobody else", async () => {
    const now = new Date();
    // A: an idle token, a token expiring in 3 days and an idle client.
    const a = await ownerWithIdleToken(now);
    const expiring = await mintTestToken(a.principal, ["users.read"], "7");
    await db.apiToken.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date(now.getTime() + 3 * DAY), lastUsedAt: new Date(now.getTime() - DAY) },
    });
    const client = await makeTestClient(a.principal, ["users.read"]);
    await db.apiClient.update({
      where: { id: client.clientId },
      data: { lastUsedAt: new Date(now.getTime() - 40 * DAY) },
    });
    // B: nothing to say (used yesterday, a month to go).
    const b = await developerWith(["users.read"]);
    const fine = await mintTestToken(b.principal, ["users.read"], "30");
    await db.apiToken.update({ where: { id: fine.id }, data: { lastUsedAt: new Date(now.getTime() - DAY) } });
    // C turned the digest off; D is disabled. Both have an idle token.
    const c = await ownerWithIdleToken(now);
    await db.user.update({ where: { id: c.user.id }, data: { credentialDigest: false } });
    const d = await ownerWithIdleToken(now);
    await db.user.update({ where: { id: d.user.id }, data: { status: "disabled" } });

    const before = mailbox.received.length;
    expect(await sendWeeklyDigest(now)).toEqual({ week: isoWeek(now), ran: true, emails: 1, failed: 0 });
    const mails = mailbox.received.slice(before);
    expect(mails.map((mail) => mail.to)).toEqual([[a.user.email]]);
    const text = bodyOf(mails[0] as ReceivedMail);
    expect(text).toContain("3 credentials");
    expect(text).toContain(
      `Personal token "${a.token.name}": unused since ${new Date(now.getTime() - 40 * DAY).toISOString().slice(0, 10)}`,
    );
    expect(text).toContain(
      `Personal token "${expiring.name}": expires on ${new Date(now.getTime() + 3 * DAY).toISOString().slice(0, 10)}`,
    );
    expect(text).toContain("Act on it at http://localhost:3000/tokens");
    expect(text).toContain(`Act on it at http://localhost:3000/clients/${client.clientId}`);
    expect(text).toContain("http://localhost:3000/account");
    // No secret of any kind.
    for (const secret of [a.token.token, expiring.token, client.clientSecret])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/kw_(pat|cs)_/);

    // One audit event for the run, with the count.
    const events = await db.auditEvent.findMany({ where: { action: "notification.digest_sent" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKind: "system",
      details: { week: isoWeek(now), emails: 1, failed: 0 },
    });

    // Again the same week (a later tick, a restart): nothing.
    expect(await sendWeeklyDigest(new Date(now.getTime() + 60_000))).toMatchObject({ ran: false, emails: 0 });
    expect(mailbox.received.length).toBe(before + 1);
  });

  it("sends one digest, not two, when two instances start at once", async () => {
    const now = new Date(Date.now() + 7 * DAY);
    const owner = await ownerWithIdleToken(now);
    const before = mailbox.received.length;
    const startAt = Date.now() + 3_000;
    const results = await Promise.all([instance(now, startAt), instance(now, startAt)]);
    expect(results.map((result) => result.ran).sort()).toEqual([false, true]);
    const sent = mailbox.received.slice(before);
    // The first test's owner is still idle a week on; each owner got exactly one message.
    const recipients = sent.flatMap((mail) => mail.to);
    expect(recipients.filter((to) => to === owner.user.email)).toHaveLength(1);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(results.find((result) => result.ran)?.emails).toBe(sent.length);
    expect(await db.jobRun.count({ where: { job: "weekly-digest", period: isoWeek(now) } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "notification.digest_sent" } })).toBe(2);
  });

  it("claims nothing without SMTP, so a mail server set up mid-week still gets that week's", async () => {
    const now = new Date(Date.now() + 14 * DAY);
    await ownerWithIdleToken(now);
    const smtp = process.env.SMTP_URL;
    delete process.env.SMTP_URL;
    const { resetConfigForTests } = await import("@/lib/config/env");
    resetConfigForTests();
    try {
      expect(await sendWeeklyDigest(now)).toMatchObject({ ran: false });
    } finally {
      process.env.SMTP_URL = smtp;
      resetConfigForTests();
    }
    expect(await sendWeeklyDigest(now)).toMatchObject({ ran: true });
  });
});

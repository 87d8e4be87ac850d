import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import { setSetting } from "@/lib/settings/settings";
import { makeRole, makeUser } from "@/test/factories";
import { startMailbox, type ReceivedMail } from "@/test/mailbox";
import { countSignIns } from "@/test/job-factories";

import { sendFailureAlert } from "./failure-alert.ts";

let mailbox: Awaited<ReturnType<typeof startMailbox>>;
beforeAll(async () => {
  mailbox = await startMailbox();
});
afterAll(async () => {
  await mailbox.stop();
});

const bodyOf = (mail: ReceivedMail) => mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
const optIn = (id: string) => db.user.update({ where: { id }, data: { failureAlerts: true } });

describe("the failure-spike alert", () => {
  it("mails each active administrator who opted in, once per hour, when failures reach the threshold", async () => {
    await db.$transaction((tx) => setSetting(tx, "failureAlertPerHour", 10));
    const admin = await makeUser({ roles: ["admin"] });
    await optIn(admin.id);
    const quietAdmin = await makeUser({ roles: ["admin"] });
    const auditor = await makeUser();
    await db.roleAssignment.create({
      data: { userId: auditor.id, roleId: (await makeRole(["audit.read"])).id },
    });
    await optIn(auditor.id);
    // Opted in once, but holds neither permission now; and a disabled administrator.
    const developer = await makeUser({ roles: ["developer"] });
    await optIn(developer.id);
    const gone = await makeUser({ roles: ["admin"] });
    await optIn(gone.id);
    await db.user.update({ where: { id: gone.id }, data: { status: "disabled" } });

    const now = new Date("2026-12-07T14:20:00Z");
    await countSignIns(new Date("2026-12-07T14:00:00Z"), "password_failed", 6);
    await countSignIns(new Date("2026-12-07T14:00:00Z"), "password_failed", 5, "source", "198.51.100.7");
    await countSignIns(new Date("2026-12-07T14:00:00Z"), "password_failed", 1, "source", "203.0.113.9");
    await countSignIns(new Date("2026-12-07T14:00:00Z"), "password_failed", 6, "account", "ceo@example.test");
    await countSignIns(new Date("2026-12-07T13:00:00Z"), "second_factor_failed", 3);
    // Two hours back: outside the window. Successes are not failures.
    await countSignIns(new Date("2026-12-07T12:00:00Z"), "lockout", 50);
    await countSignIns(new Date("2026-12-07T14:00:00Z"), "sign_in", 500);

    const before = mailbox.received.length;
    expect(await sendFailureAlert(now)).toMatchObject({ failures: 9, ran: false, emails: 0 });
    await countSignIns(new Date("2026-12-07T14:00:00Z"), "lockout", 1);
    expect(await sendFailureAlert(now)).toEqual({
      hour: "2026-12-07T14",
      failures: 10,
      ran: true,
      emails: 2,
    });
    const mails = mailbox.received.slice(before);
    expect(mails.flatMap((mail) => mail.to).sort()).toEqual([admin.email, auditor.email].sort());
    const text = bodyOf(mails[0] as ReceivedMail);
    expect(text).toContain("10 failed sign-ins");
    expect(text).toContain("Wrong passwords: 6");
    expect(text).toContain("Wrong second factors: 3");
    expect(text).toContain("Attempts refused while locked out: 1");
    expect(text).toMatch(/"198\.51\.100\.7": 5\s+"203\.0\.113\.9": 1/);
    expect(text).toContain('"ceo@example.test": 6');
    expect(text).toContain("http://localhost:3000/overview");
    for (const mail of mails) expect(mail.to).not.toContain(quietAdmin.email);

    // The same hour again, from any instance: nothing more.
    expect(await sendFailureAlert(new Date("2026-12-07T14:50:00Z"))).toMatchObject({ ran: false });
    expect(mailbox.received.length).toBe(before + 2);
    // The next hour: 14:00's 7 alone are under the threshold; a new burst alerts again.
    expect(await sendFailureAlert(new Date("2026-12-07T15:05:00Z"))).toMatchObject({
      failures: 7,
      ran: false,
    });
    await countSignIns(new Date("2026-12-07T15:00:00Z"), "password_failed", 3);
    expect(await sendFailureAlert(new Date("2026-12-07T15:06:00Z"))).toMatchObject({ ran: true, emails: 2 });

    const events = await db.auditEvent.findMany({
      where: { action: "notification.failure_alert_sent" },
      orderBy: { id: "asc" },
    });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actorKind: "system",
      details: {
        hour: "2026-12-07T14",
        failures: 10,
        threshold: 10,
        emails: 2,
        topSources: [
          { value: "198.51.100.7", count: 5 },
          { value: "203.0.113.9", count: 1 },
        ],
      },
    });
  });
});

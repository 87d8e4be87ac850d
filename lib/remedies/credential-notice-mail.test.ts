import { describe, expect, it } from "vitest";

import { credentialChangedMail, credentialReminderMail } from "../mail/credential-notice-mail.ts";
import { useWindow, utcDay } from "./used-permissions.ts";

const DAY_MS = 86_400_000;

describe("credential mail", () => {
  it("keeps a name typed with line breaks on one line, in the subject and the body", () => {
    const credential = { kind: "token" as const, id: "tok_abc", name: "deploy\r\nBcc: evil@example.test" };
    const mail = credentialChangedMail({
      to: "owner@example.test",
      credential,
      change: { change: "revoked" },
      by: "Ada (ada@example.test)",
      at: new Date("2030-01-02T03:04:05Z"),
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text.split("\n").some((line) => line.startsWith("Bcc:"))).toBe(false);
    expect(mail.text).toContain("When: 2030-01-02 03:04 UTC");
    const reminder = credentialReminderMail({
      to: "owner@example.test",
      credential: { kind: "client", id: "cli_a/b", name: "sync" },
      risk: { label: "L", description: "D" },
      facts: { createdAt: new Date("2030-01-01T00:00:00Z"), lastUsedAt: null, expiresAt: null },
      by: "Ada",
      at: new Date(),
    });
    expect(reminder.text).toContain("/clients/cli_a%2Fb");
    expect(reminder.text).toContain("Last used: never");
  });
});

describe("the idle window", () => {
  const now = new Date("2030-03-01T12:00:00Z");
  const settings = (since: string | null) => ({ idleCredentialDays: 30, permissionUseSince: since });

  it("is whole only once the credential and the counting are older than the idle period", () => {
    const old = new Date(now.getTime() - 40 * DAY_MS);
    expect(useWindow(old, settings(old.toISOString()), now)).toEqual({
      since: new Date(now.getTime() - 30 * DAY_MS),
      whole: true,
      idleDays: 30,
    });
    const young = new Date(now.getTime() - 29 * DAY_MS);
    expect(useWindow(young, settings(old.toISOString()), now)).toMatchObject({ since: young, whole: false });
    expect(useWindow(old, settings(young.toISOString()), now)).toMatchObject({ since: young, whole: false });
    expect(useWindow(old, settings(null), now).whole).toBe(false);
    expect(useWindow(old, settings("not a date"), now).whole).toBe(false);
  });

  it("counts by UTC day", () => {
    expect(utcDay(new Date("2030-03-01T23:59:59.999Z")).toISOString()).toBe("2030-03-01T00:00:00.000Z");
  });
});

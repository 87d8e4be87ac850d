import { describe, expect, it } from "vitest";

import { credentialChangedMail, credentialReminderMail } from "../mail/credential-notice-mail.ts";

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

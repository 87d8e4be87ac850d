import { describe, expect, it } from "vitest";

import { makePrincipal, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { getSettings } from "./settings.ts";
import {
  overviewSettingsSchema,
  securitySettingsSchema,
  updateOverviewSettings,
  updateSecuritySettings,
} from "./update-settings.ts";

const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

describe("security settings", () => {
  it("need settings.write; requiring MFA for everyone restricts users without a factor at once", async () => {
    const settings = securitySettingsSchema.parse({
      mfaRequiredForAll: true,
      stepUpMinutes: "10",
      sessionIdleMinutes: "30",
      sessionAbsoluteHours: "12",
    });
    const { principal: manager } = await makePrincipal(["user_manager"]);
    expect(await code(updateSecuritySettings({ ...settings, actor: manager, context: TEST_CONTEXT }))).toBe(
      "forbidden",
    );

    const { principal: admin } = await makePrincipal(["admin"]);
    const { principal: member } = await makePrincipal();
    await updateSecuritySettings({ ...settings, actor: admin, context: TEST_CONTEXT });
    // The change reached this instance's settings cache through the change feed on commit.
    expect((await resolveSession(member.sessionId))?.mustEnrollMfa).toBe(true);
    const event = await db.auditEvent.findFirst({ where: { action: "settings.updated" } });
    expect(event?.details).toEqual({
      before: { mfaRequiredForAll: false },
      after: { mfaRequiredForAll: true },
    });
  });

  it("refuses out-of-range values in the schema", () => {
    for (const bad of [
      { stepUpMinutes: "0" },
      { sessionIdleMinutes: "2" },
      { sessionAbsoluteHours: "9999" },
      { stepUpMinutes: "ten" },
    ]) {
      expect(
        securitySettingsSchema.safeParse({
          stepUpMinutes: "10",
          sessionIdleMinutes: "30",
          sessionAbsoluteHours: "12",
          ...bad,
        }).success,
      ).toBe(false);
    }
  });
});

describe("overview settings", () => {
  it("change what the overview calls idle, audited, for settings.write only; out-of-range values are refused", async () => {
    const input = overviewSettingsSchema.parse({
      dormantAccountDays: "60",
      idleCredentialDays: "45",
      secretRotationDays: "90",
      failureAlertPerHour: "100",
    });
    const { principal: manager } = await makePrincipal(["user_manager"]);
    expect(await code(updateOverviewSettings({ ...input, actor: manager, context: TEST_CONTEXT }))).toBe(
      "forbidden",
    );
    const { principal: admin } = await makePrincipal(["admin"]);
    await updateOverviewSettings({ ...input, actor: admin, context: TEST_CONTEXT });
    const settings = await getSettings(db, { fresh: true });
    expect(settings).toMatchObject({ dormantAccountDays: 60, idleCredentialDays: 45 });
    const event = await db.auditEvent.findFirst({
      where: { action: "settings.updated", targetId: "overview" },
    });
    expect(event?.details).toEqual({
      before: { dormantAccountDays: 90, idleCredentialDays: 30 },
      after: { dormantAccountDays: 60, idleCredentialDays: 45 },
    });
    for (const bad of [
      { idleCredentialDays: "6" },
      { failureAlertPerHour: "0" },
      { dormantAccountDays: "1e9" },
    ]) {
      expect(overviewSettingsSchema.safeParse({ ...input, ...bad }).success).toBe(false);
    }
  });
});

import { describe, expect, it } from "vitest";
import { ZodError } from "zod";

import { db } from "@/lib/db/client";
import { codeOf, makePrincipal, makeRole, TEST_CONTEXT } from "@/test/factories";

import {
  getNotificationPreferences,
  notificationPreferencesSchema,
  updateNotificationPreferences,
} from "./notification-preferences.ts";

const events = (userId: string) =>
  db.auditEvent.findMany({
    where: { action: "account.notifications_updated", targetId: userId },
    orderBy: { id: "asc" },
  });

describe("notification preferences", () => {
  it("lets anyone turn their digest off and on, audited, with no step-up", async () => {
    const { user, principal } = await makePrincipal([]);
    // A session signed in long ago: no step-up is asked for.
    const stale = { ...principal, authTime: new Date(Date.now() - 24 * 3_600_000) };
    expect(await getNotificationPreferences(stale)).toEqual({
      credentialDigest: true,
      failureAlerts: false,
      mayReceiveFailureAlerts: false,
    });
    expect(
      await updateNotificationPreferences({
        actor: stale,
        context: TEST_CONTEXT,
        credentialDigest: false,
        failureAlerts: false,
      }),
    ).toMatchObject({ credentialDigest: false, failureAlerts: false });
    expect(await db.user.findUnique({ where: { id: user.id }, select: { credentialDigest: true } })).toEqual({
      credentialDigest: false,
    });
    // Saving the same again changes nothing and records nothing more.
    await updateNotificationPreferences({
      actor: stale,
      context: TEST_CONTEXT,
      credentialDigest: false,
      failureAlerts: false,
    });
    await updateNotificationPreferences({
      actor: stale,
      context: TEST_CONTEXT,
      credentialDigest: true,
      failureAlerts: false,
    });
    const recorded = await events(user.id);
    expect(recorded).toHaveLength(2);
    expect(recorded[0]).toMatchObject({
      actorKind: "user",
      actorId: user.id,
      outcome: "success",
      details: {
        before: { credentialDigest: true, failureAlerts: false },
        after: { credentialDigest: false, failureAlerts: false },
      },
    });
  });

  it("lets only holders of audit.read or settings.write turn failure alerts on", async () => {
    const plain = await makePrincipal(["developer"]);
    expect(
      await codeOf(
        updateNotificationPreferences({
          actor: plain.principal,
          context: TEST_CONTEXT,
          credentialDigest: true,
          failureAlerts: true,
        }),
      ),
    ).toBe("forbidden");
    expect(
      await db.user.findUnique({ where: { id: plain.user.id }, select: { failureAlerts: true } }),
    ).toEqual({
      failureAlerts: false,
    });
    expect(await events(plain.user.id)).toHaveLength(0);

    for (const permission of ["audit.read", "settings.write"] as const) {
      const holder = await makePrincipal([], [(await makeRole([permission])).id]);
      expect((await getNotificationPreferences(holder.principal)).mayReceiveFailureAlerts).toBe(true);
      expect(
        await updateNotificationPreferences({
          actor: holder.principal,
          context: TEST_CONTEXT,
          credentialDigest: true,
          failureAlerts: true,
        }),
      ).toEqual({ credentialDigest: true, failureAlerts: true, mayReceiveFailureAlerts: true });
    }

    // Someone who lost the permission may still turn the alert off.
    await db.user.update({ where: { id: plain.user.id }, data: { failureAlerts: true } });
    expect(
      await updateNotificationPreferences({
        actor: plain.principal,
        context: TEST_CONTEXT,
        credentialDigest: true,
        failureAlerts: false,
      }),
    ).toMatchObject({ failureAlerts: false });
  });

  it("refuses input that is not two booleans", async () => {
    const { principal } = await makePrincipal([]);
    expect(
      notificationPreferencesSchema.safeParse({ credentialDigest: "yes", failureAlerts: false }).success,
    ).toBe(false);
    expect(notificationPreferencesSchema.safeParse({ credentialDigest: true }).success).toBe(false);
    const bad = { credentialDigest: "off" } as unknown as { credentialDigest: boolean };
    await expect(
      updateNotificationPreferences({
        actor: principal,
        context: TEST_CONTEXT,
        failureAlerts: false,
        ...bad,
      }),
    ).rejects.toThrow(ZodError);
    expect(await events(principal.userId)).toHaveLength(0);
  });
});

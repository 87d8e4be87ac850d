import { describe, expect, it } from "vitest";

import { makeUser, signedInCookie, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { setUserStatus } from "./set-user-status.ts";

const system = { kind: "system" as const, display: "test" };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error) => e.message,
  );

describe("disabling and enabling users", () => {
  // Guarantee: disabling a user ends their sessions at once, in the same transaction as its audit event.
  it("ends every session of a disabled user and records before and after", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    await db.$transaction((tx) =>
      setUserStatus(tx, { userId: user.id, status: "disabled", actor: system, context: TEST_CONTEXT }),
    );
    expect(await resolveSession(sessionId)).toBeNull();
    const event = await db.auditEvent.findFirst({ where: { action: "user.disabled", targetId: user.id } });
    expect(event?.details).toEqual({
      before: { status: "active" },
      after: { status: "disabled" },
      endedSessions: 1,
    });

    await db.$transaction((tx) =>
      setUserStatus(tx, { userId: user.id, status: "active", actor: system, context: TEST_CONTEXT }),
    );
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).status).toBe("active");
  });

  // Guarantee: nobody locks the organisation out: the last active Administrator stays, nobody disables themselves.
  it("refuses to disable the last active Administrator, even under concurrent attempts", async () => {
    const existingAdmins = await db.user.findMany({
      where: { status: "active", roles: { some: { role: { builtInKey: "admin" } } } },
    });
    for (const admin of existingAdmins)
      await db.user.update({ where: { id: admin.id }, data: { status: "disabled" } });
    const a = await makeUser({ roles: ["admin"] });
    const b = await makeUser({ roles: ["admin"] });
    const results = await Promise.all(
      [a, b].map((admin) =>
        failure(
          db.$transaction((tx) =>
            setUserStatus(tx, { userId: admin.id, status: "disabled", actor: system, context: TEST_CONTEXT }),
          ),
        ),
      ),
    );
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.filter((r) => r?.includes("last active Administrator"))).toHaveLength(1);
  });

  it("refuses self-disable and unknown users", async () => {
    const user = await makeUser({ roles: ["user_manager"] });
    const self = { kind: "user" as const, id: user.id, display: user.email };
    expect(
      await failure(
        db.$transaction((tx) =>
          setUserStatus(tx, { userId: user.id, status: "disabled", actor: self, context: TEST_CONTEXT }),
        ),
      ),
    ).toBe("You cannot disable yourself.");
    expect(
      await failure(
        db.$transaction((tx) =>
          setUserStatus(tx, { userId: "usr_nope", status: "disabled", actor: system, context: TEST_CONTEXT }),
        ),
      ),
    ).toBe("The user was not found.");
  });
});

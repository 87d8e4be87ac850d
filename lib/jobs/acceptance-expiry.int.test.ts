import { describe, expect, it } from "vitest";

import { newId } from "@/lib/crypto/ids";
import { db } from "@/lib/db/client";
import { makeUser } from "@/test/factories";

import { expireAcceptances } from "./acceptance-expiry.ts";

async function accept(targetId: string, until: Date, extra: { revokedAt?: Date; expiredAt?: Date } = {}) {
  return db.riskAcceptance.create({
    data: {
      id: newId("rka"),
      risk: "accounts.dormant",
      targetId,
      targetKind: "user",
      reason: "seasonal staff",
      until,
      acceptedBy: "admin@example.test",
      ...extra,
    },
  });
}

const expiredEvents = (acceptanceIds: string[]) =>
  db.auditEvent
    .findMany({ where: { action: "risk.acceptance_expired" }, orderBy: { id: "asc" } })
    .then((events) =>
      events.filter((event) =>
        acceptanceIds.includes((event.details as { acceptanceId?: string }).acceptanceId ?? ""),
      ),
    );

describe("accepted risks coming back", () => {
  it("expires each acceptance whose date has come exactly once, audited, even with instances racing", async () => {
    const user = await makeUser();
    const now = new Date("2026-12-07T12:00:00Z");
    const due = await accept(user.id, new Date("2026-12-07T11:59:59Z"));
    const dueNow = await accept(user.id, now);
    const later = await accept(user.id, new Date("2026-12-07T12:00:01Z"));
    const withdrawn = await accept(user.id, new Date("2026-12-01T00:00:00Z"), { revokedAt: new Date() });
    const already = await accept(user.id, new Date("2026-12-01T00:00:00Z"), {
      expiredAt: new Date("2026-12-01T00:05:00Z"),
    });

    // Four instances ticking at once, each on its own connection.
    const counts = await Promise.all([1, 2, 3, 4].map(() => expireAcceptances(now)));
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(2);
    expect(await expireAcceptances(now)).toBe(0);

    const rows = await db.riskAcceptance.findMany({
      where: { id: { in: [due.id, dueNow.id, later.id, withdrawn.id, already.id] } },
    });
    const expiredAt = Object.fromEntries(rows.map((row) => [row.id, row.expiredAt?.toISOString() ?? null]));
    expect(expiredAt).toEqual({
      [due.id]: now.toISOString(),
      [dueNow.id]: now.toISOString(),
      [later.id]: null,
      [withdrawn.id]: null,
      [already.id]: "2026-12-01T00:05:00.000Z",
    });

    const events = await expiredEvents([due.id, dueNow.id, later.id, withdrawn.id, already.id]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actorKind: "system",
      targetKind: "user",
      targetId: user.id,
      details: { acceptanceId: due.id, risk: "accounts.dormant", reason: "seasonal staff" },
    });

    // A second later the next one is due, and only it.
    expect(await expireAcceptances(new Date("2026-12-07T12:00:01Z"))).toBe(1);
    expect(await expiredEvents([later.id])).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import type { ActionRequest } from "@/lib/http/action";
import { makePrincipal, signedInCookie } from "@/test/factories";

import { verifyAuditLogAction } from "./actions";

async function requestAs(userId: string): Promise<ActionRequest> {
  const { cookie } = await signedInCookie(userId);
  const [name, value] = cookie.split("=", 2) as [string, string];
  return {
    headers: new Headers({ "x-keyward-peer": "203.0.113.9", "user-agent": "vitest" }),
    cookies: { get: (wanted) => (wanted === name ? { value } : undefined) },
  };
}

// Guarantee: the audit page's on-demand verification names every bad event, not only the first,
// shows the head for export, and goes on the record with what it found.
describe("Verify the chain (audit page)", () => {
  it("names every edited event, and records the check", async () => {
    const { user } = await makePrincipal(["admin"]);
    const intact = await verifyAuditLogAction.run(await requestAs(user.id), new FormData());
    expect(intact.state).toMatchObject({
      status: "ok",
      message: expect.stringMatching(
        /^The chain is intact: [\d,]+ events checked\. .*head \d+:[0-9a-f]{64}\.$/,
      ),
    });

    const [newer, older] = await db.auditEvent.findMany({ orderBy: { id: "desc" }, take: 2 });
    if (!newer || !older) throw new Error("no events");
    await db.auditEvent.update({ where: { id: older.id }, data: { actorDisplay: "someone else" } });
    await db.auditEvent.update({ where: { id: newer.id }, data: { outcome: "denied" } });
    const broken = await verifyAuditLogAction.run(await requestAs(user.id), new FormData());
    expect(broken.state).toMatchObject({ status: "error", code: "conflict" });
    const message = broken.state.status === "error" ? broken.state.message : "";
    expect(message).toContain("2 problem(s)");
    expect(message).toContain(`event ${older.id.toString()}: content does not match its hash (edited)`);
    expect(message).toContain(`event ${newer.id.toString()}: content does not match its hash (edited)`);

    const recorded = await db.auditEvent.findFirstOrThrow({
      where: { action: "audit.verified" },
      orderBy: { id: "desc" },
    });
    expect(recorded).toMatchObject({ outcome: "failure", details: { problems: 2 } });
  });
});

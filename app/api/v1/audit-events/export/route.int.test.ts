import { describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import { mintTestToken } from "@/test/credentials";
import { makePrincipal, makeUser } from "@/test/factories";
import { NextRequest } from "next/server";

import { GET } from "./route";

async function download(bearer: string, query: string) {
  const response = await GET(
    new NextRequest(`http://localhost:3000/api/v1/audit-events/export?${query}`, {
      headers: { authorization: `Bearer ${bearer}`, "x-keyward-peer": "203.0.113.7" },
    }),
    { params: Promise.resolve({}) },
  );
  return { response, text: await response.text() };
}

// Guarantee: the export streams exactly the filtered events, safely encoded, and is itself audited.
describe("GET /api/v1/audit-events/export", () => {
  it("streams the filtered events as CSV with formulas defused, and as JSON Lines", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["audit.read"]);
    const target = await makeUser();

    const csv = await download(pat.token, `target=${target.id}&format=csv`);
    expect(csv.response.status).toBe(200);
    expect(csv.response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="keyward-audit-.*\.csv"$/,
    );
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,occurredAt,action,outcome,actorKind,actorId,actorDisplay,targetKind,targetId,targetDisplay,ip,userAgent,requestId,details,hash",
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((line) => line.includes(target.id))).toBe(true);

    const jsonl = await download(pat.token, `target=${target.id}&format=jsonl`);
    const events = jsonl.text
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as {
            target: { id: string };
            occurredAt: string;
            actor: { kind: string };
            action: string;
            outcome: string;
            requestId: string | null;
          },
      );
    expect(events.length).toBe(lines.length - 1);
    expect(events.every((event) => event.target.id === target.id)).toBe(true);
    // When (UTC, ISO 8601), who, what and which request, on every event (ASVS 16.2.1, 16.2.2).
    for (const event of events) {
      expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(event).toMatchObject({ actor: { kind: expect.any(String) }, action: expect.any(String) });
      expect(["success", "failure", "denied"]).toContain(event.outcome);
      expect(event).toHaveProperty("requestId");
    }

    const recorded = await db.auditEvent.count({ where: { action: "audit.exported", actorId: pat.id } });
    expect(recorded).toBe(2);
  });

  it("refuses an unknown format and a malformed time with problem details", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["audit.read"]);
    const badFormat = await download(pat.token, "format=xlsx");
    expect(badFormat.response.status).toBe(400);
    const badTime = await download(pat.token, "from=yesterday");
    expect(badTime.response.status).toBe(400);
    expect(JSON.parse(badTime.text).errors[0].path).toBe("from");
    const local = await download(pat.token, "from=2026-01-01T00:00&format=jsonl");
    expect(local.response.status).toBe(200);
  });
});

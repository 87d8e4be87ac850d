// A substring search answers exactly what filtering the whole list would, in the same order and
// with cursors that neither skip nor repeat, whichever path it takes (the bounded window of the sort
// order, or the trigram index then a sort). Shown on the API clients list, the second user of it.
import { beforeAll, describe, expect, it } from "vitest";

import { makePrincipal, makeUser } from "../../test/factories.ts";
import type { Principal } from "../auth/principal.ts";
import { listClientsSchema } from "../clients/client-schemas.ts";
import { listClients } from "../clients/list-clients.ts";
import { db } from "../db/client.ts";

const CLIENTS = 300;
let admin: Principal;

beforeAll(async () => {
  ({ principal: admin } = await makePrincipal(["admin"]));
  const active = await makeUser();
  const disabled = await makeUser({ status: "disabled" });
  // Every 25th is a "Billing" service (12 of 300), spread over the newest-first order; owners rotate
  // between an active user, a disabled one and none, so every status filter has something to find.
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClient" (id, "clientId", name, "ownerId", "disabledAt", "createdAt", "updatedAt")
     SELECT 'cli_sub' || lpad(i::text, 5, '0'), 'kw_sub_' || i,
            CASE WHEN i % 25 = 7 THEN 'Billing sync ' || i ELSE 'Service ' || i END,
            CASE i % 3 WHEN 0 THEN $1 WHEN 1 THEN $2 ELSE NULL END,
            CASE WHEN i % 10 = 3 THEN now() END,
            now() - (i || ' minutes')::interval, now()
     FROM generate_series(1, ${CLIENTS}) AS i`,
    active.id,
    disabled.id,
  );
});

async function everyPage(query: Record<string, string>): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const page = await listClients(admin, listClientsSchema.parse(after ? { ...query, after } : query));
    seen.push(...page.items.map((c) => c.id));
    after = page.nextCursor;
  } while (after && seen.length <= CLIENTS);
  return seen;
}

describe("a substring search", () => {
  it("pages through exactly the matches, newest first, alone and with each status filter", async () => {
    const matching = await db.apiClient.findMany({
      where: { name: { contains: "billing", mode: "insensitive" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });
    expect(matching.length).toBe(12);
    // Two a page: a window (60 rows) holds three at most, so most pages come from the trigram path.
    expect(await everyPage({ q: "BILLING", limit: "2" })).toEqual(matching.map((c) => c.id));
    for (const status of ["active", "disabled", "orphaned"] as const) {
      const all = await everyPage({ status, limit: "100" });
      const expected = all.filter((id) => matching.some((m) => m.id === id));
      expect(await everyPage({ q: "billing", status, limit: "2" }), status).toEqual(expected);
    }
  });

  it("takes LIKE wildcards literally and finds nothing for a name no one has", async () => {
    expect(await everyPage({ q: "%ing", limit: "5" })).toEqual([]);
    expect(await everyPage({ q: "Billing_sync", limit: "5" })).toEqual([]);
    expect(await everyPage({ q: "no such service", limit: "5" })).toEqual([]);
  });
});

// A user search of three characters or more reads its matches from the trigram indexes and sorts
// them, whatever the planner's statistics say: it never walks the sort order's index "until it finds
// enough rows" (85 ms at 100,000 users when the matches sit far along that order) and never scans
// the table. Fails if someone drops an index, turns GIN's pending list back on or changes the shape.
import { beforeAll, describe, expect, it } from "vitest";

import { makePrincipal } from "../../test/factories.ts";
import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { listUsers } from "./list-users.ts";
import { SHORT_WINDOW_ROWS, trigramSql, windowSql } from "../search/substring-page.ts";
import { userSearch } from "./search-users.ts";
import { listUsersSchema } from "./user-schemas.ts";

/** Enough rows that a sequential scan and an index walk are real options for the planner. */
const USERS = 5_000;

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] };

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

async function plan(sql: ReturnType<typeof trigramSql>): Promise<PlanNode[]> {
  const rows = await db.$queryRawUnsafe<{ "QUERY PLAN": { Plan: PlanNode }[] }[]>(
    `EXPLAIN (FORMAT JSON) ${sql.text}`,
    ...sql.values,
  );
  const top = rows[0]?.["QUERY PLAN"][0]?.Plan;
  if (!top) throw new Error("no plan");
  return nodes(top);
}

const search = (q: string, sort: "email" | "name" | "created" = "email") =>
  userSearch({
    input: listUsersSchema.parse({ q, sort }),
    order: { field: sort === "created" ? "createdAt" : sort, dir: "asc" },
    cursorId: undefined,
    take: 26,
  });

let principal: Principal;

beforeAll(async () => {
  ({ principal } = await makePrincipal(["admin"]));
  // "Plan Person 1" … with one rare tag on 12 users far along every order.
  await db.$executeRawUnsafe(`
    INSERT INTO "User" (id, email, name, status, "createdAt", "updatedAt")
    SELECT 'usr_plan' || lpad(i::text, 6, '0'),
           'person' || i || CASE WHEN i % 400 = 399 THEN '.xyzzy' ELSE '' END || '@plan.example',
           'Plan Person ' || i, 'active', now() - (i || ' seconds')::interval, now()
    FROM generate_series(1, ${USERS}) AS i`);
});

describe("the user search's plan", () => {
  it("takes the trigram indexes, then sorts, with no statistics and with fresh ones", async () => {
    const indexes = await db.$queryRawUnsafe<{ relname: string; reloptions: string[] | null }[]>(
      `SELECT relname, reloptions FROM pg_class WHERE relname IN ('User_email_trgm_idx', 'User_name_trgm_idx')`,
    );
    expect(indexes).toHaveLength(2);
    for (const index of indexes) expect(index.reloptions).toContain("fastupdate=off");

    for (const stats of ["as loaded", "analyzed"]) {
      if (stats === "analyzed") await db.$executeRawUnsafe(`ANALYZE "User"`);
      for (const sort of ["email", "name", "created"] as const) {
        const steps = await plan(trigramSql(search("xyzzy", sort)));
        const used = steps.map((n) => n["Index Name"]).filter(Boolean);
        expect(used, `${stats}, by ${sort}`).toEqual(
          expect.arrayContaining(["User_email_trgm_idx", "User_name_trgm_idx"]),
        );
        expect(steps.some((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "User")).toBe(false);
        expect(steps.map((n) => n["Node Type"])).toContain("Sort");
      }
      // The first try only walks a bounded window of the sort order's index.
      const window = await plan(windowSql(search("xyzzy"), 520));
      expect(window.some((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "User")).toBe(false);
    }
  });

  it("finds the same users, in the same order, as filtering the whole list", async () => {
    const page = await listUsers(
      principal,
      listUsersSchema.parse({ q: "XYZZY", sort: "name", limit: "100" }),
    );
    const expected = await db.user.findMany({
      where: { email: { contains: ".xyzzy" } },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    expect(page.items.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(page.items).toHaveLength(Math.floor(USERS / 400));
  });

  it("matches names case-insensitively beyond ASCII, on the trigram path", async () => {
    // Sorted by email after every "person…": outside the first window, so the index answers.
    await db.user.create({
      data: { id: "usr_planunicode", email: "zz-emilie@plan.example", name: "Émilie Ødegård" },
    });
    for (const q of ["ØDEGÅRD", "émilie ø", "ÉMILIE"]) {
      const page = await listUsers(principal, listUsersSchema.parse({ q }));
      expect(
        page.items.map((u) => u.id),
        q,
      ).toEqual(["usr_planunicode"]);
    }
  });

  it("pages a 3+ character search through the trigram path with no gaps or repeats, both ways", async () => {
    const seen: string[] = [];
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { q: "xyzzy", sort: "created", dir: "desc", limit: "5" };
      if (cursor) query.after = cursor;
      const page = await listUsers(principal, listUsersSchema.parse(query));
      pages.push(page.items.map((u) => u.id));
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
      if (pages.length === 2) {
        const back = await listUsers(
          principal,
          listUsersSchema.parse({
            q: "xyzzy",
            sort: "created",
            dir: "desc",
            limit: "5",
            before: page.prevCursor ?? undefined,
          }),
        );
        expect(back.items.map((u) => u.id)).toEqual(pages[0]);
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(Math.floor(USERS / 400));
    expect(seen).toHaveLength(Math.floor(USERS / 400));
  });

  it("bounds a one- or two-character search, and its cursor goes on where the window stopped", async () => {
    // "y@" occurs in the 12 tagged emails ("….xyzzy@plan.example") only: fewer than a page.
    const all = await db.user.findMany({
      where: { OR: [{ email: { contains: "y@" } }, { name: { contains: "y@", mode: "insensitive" } }] },
      orderBy: [{ email: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    expect(all.length).toBeGreaterThan(0);
    const seen: string[] = [];
    let cursor: string | null = null;
    let requests = 0;
    do {
      const query: Record<string, string> = { q: "y@", limit: "25" };
      if (cursor) query.after = cursor;
      const page = await listUsers(principal, listUsersSchema.parse(query));
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
      requests++;
    } while (cursor && requests < 10);
    expect(seen).toEqual(all.map((u) => u.id));
    expect(requests).toBeGreaterThanOrEqual(Math.ceil(USERS / SHORT_WINDOW_ROWS));
  });
});

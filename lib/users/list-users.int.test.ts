import { describe, expect, it } from "vitest";

import { makePrincipal, makeRole, makeUser } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { listUsers } from "./list-users.ts";
import { listUsersSchema } from "./user-schemas.ts";

describe("the user list", () => {
  it("searches email and name by any part, case-insensitively, and filters by role, status and MFA", async () => {
    const { principal } = await makePrincipal(["auditor"]);
    const tag = `zq${Date.now().toString(36)}`;
    const role = await makeRole(["audit.read"]);
    const alice = await makeUser();
    await db.user.update({ where: { id: alice.id }, data: { name: `Alice ${tag.toUpperCase()} Liddell` } });
    const bob = await makeUser({ status: "disabled" });
    await db.user.update({ where: { id: bob.id }, data: { email: `bob.${tag}@example.test` } });
    await db.roleAssignment.create({ data: { userId: bob.id, roleId: role.id } });
    await db.totpFactor.create({
      data: { id: `tf_${tag}`, userId: alice.id, name: "Phone", secretEnc: "x", activatedAt: new Date() },
    });

    const list = (query: Record<string, string>) =>
      listUsers(principal, listUsersSchema.parse(query)).then((p) => p.items.map((u) => u.id));
    expect((await list({ q: tag })).sort()).toEqual([alice.id, bob.id].sort());
    expect(await list({ q: `${tag}@EXAMPLE` })).toEqual([bob.id]);
    expect(await list({ q: tag, status: "disabled" })).toEqual([bob.id]);
    expect(await list({ q: tag, role: role.id })).toEqual([bob.id]);
    expect(await list({ q: tag, mfa: "yes" })).toEqual([alice.id]);
    expect(await list({ q: tag, mfa: "no" })).toEqual([bob.id]);
    expect(await list({ q: "no-such-user-anywhere" })).toEqual([]);
  });

  it("pages forwards and backwards with cursors in every sort order, with no gaps or repeats", async () => {
    const { principal } = await makePrincipal(["admin"]);
    for (let i = 0; i < 7; i++) await makeUser();
    const total = await db.user.count();
    for (const sort of ["email", "name", "created"] as const) {
      for (const dir of ["asc", "desc"] as const) {
        const seen: string[] = [];
        let page = await listUsers(principal, listUsersSchema.parse({ sort, dir, limit: "3" }));
        const pages = [page];
        seen.push(...page.items.map((u) => u.id));
        while (page.nextCursor) {
          page = await listUsers(
            principal,
            listUsersSchema.parse({ sort, dir, limit: "3", after: page.nextCursor }),
          );
          pages.push(page);
          seen.push(...page.items.map((u) => u.id));
        }
        expect(new Set(seen).size).toBe(total);
        expect(seen).toHaveLength(total);
        // Back one page from the last lands on the page before it.
        const last = pages.at(-1);
        if (last?.prevCursor) {
          const back = await listUsers(
            principal,
            listUsersSchema.parse({ sort, dir, limit: "3", before: last.prevCursor }),
          );
          expect(back.items.map((u) => u.id)).toEqual(pages.at(-2)?.items.map((u) => u.id));
        }
      }
    }
  });

  it("rejects malformed filters in the schema, before any query", () => {
    for (const bad of [
      { sort: "password" },
      { limit: "1000" },
      { after: "'; drop table" },
      { status: "root" },
      { q: "x".repeat(101) },
    ]) {
      expect(listUsersSchema.safeParse(bad).success).toBe(false);
    }
  });
});

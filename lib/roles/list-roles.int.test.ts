import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { codeOf, makePrincipal, makeRole } from "../../test/factories.ts";
import { listRoles, roleOptions } from "./list-roles.ts";

// Guarantee: the roles list is paged (a role carries its grants, so a thousand of them are no single
// answer): built-in roles first, then custom ones by name, every role exactly once across pages.
describe("the roles list", () => {
  it("pages custom roles by name with a cursor, and searches by any part of the name", async () => {
    const tag = `pg${randomBytes(3).toString("hex")}`;
    const made = await Promise.all(["c", "a", "b"].map((letter) => makeRole([], `${tag} ${letter}`)));
    const { principal } = await makePrincipal(["admin"]);
    const first = await listRoles(principal, { q: tag, limit: 2 });
    expect(first.items.map((role) => role.name)).toEqual([`${tag} a`, `${tag} b`]);
    expect(first.nextCursor).not.toBeNull();
    const second = await listRoles(principal, { q: tag, limit: 2, after: first.nextCursor ?? "" });
    expect(second.items.map((role) => role.name)).toEqual([`${tag} c`]);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((role) => role.id))).toEqual(
      new Set(made.map((role) => role.id)),
    );
  });

  it("counts each role's holders, and none for a role no one holds", async () => {
    const tag = `hd${randomBytes(3).toString("hex")}`;
    const [held, empty] = await Promise.all([makeRole([], `${tag} held`), makeRole([], `${tag} empty`)]);
    const { principal } = await makePrincipal(["admin"], [held.id]);
    await makePrincipal([], [held.id]);
    const page = await listRoles(principal, { q: tag });
    expect(page.items.map((role) => [role.name, role.holders])).toEqual([
      [`${tag} empty`, 0],
      [`${tag} held`, 2],
    ]);
    expect(empty.id).toBe(page.items[0]?.id);
  });

  it("puts the built-in roles first, continues into custom ones, and refuses an unknown cursor", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const firstPage = await listRoles(principal, { limit: 2 });
    expect(firstPage.items.every((role) => role.builtIn)).toBe(true);
    const seen: string[] = [];
    let after: string | undefined;
    let builtInDone = false;
    for (let pages = 0; pages < 500; pages++) {
      const page = await listRoles(principal, { limit: 100, ...(after ? { after } : {}) });
      for (const role of page.items) {
        // Once a custom role is listed, no built-in one follows.
        if (!role.builtIn) builtInDone = true;
        else expect(builtInDone).toBe(false);
        seen.push(role.id);
      }
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await roleOptions(principal)).length);
    expect(await codeOf(listRoles(principal, { after: "rol_nosuchrole000000000" }))).toBe("invalid");
  });

  it("needs roles.read", async () => {
    const { principal } = await makePrincipal(["member"]);
    expect(await codeOf(listRoles(principal))).toBe("forbidden");
    expect(await codeOf(roleOptions(principal))).toBe("forbidden");
  });
});

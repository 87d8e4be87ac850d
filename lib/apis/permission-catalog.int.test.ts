import { describe, expect, it } from "vitest";

import { makeApi, makeApiRole } from "../../test/api-factories.ts";
import { codeOf, makePrincipal, makeRole } from "../../test/factories.ts";
import { TOKEN_CATALOG } from "../tokens/token-catalog.ts";
import { ungrantable } from "./holdings.ts";
import { catalogEntries, permissionCatalog } from "./permission-catalog.ts";

// Guarantee: the catalog marks grantable exactly what holdings.ts lets the actor grant, and finds
// an API or a permission by name however many APIs there are.
describe("the grantable permission catalog", () => {
  it("groups by API, marks grantable by holding or ownership, flags deprecated", async () => {
    const tag = `Cat${Date.now().toString(36)}`;
    const orders = await makeApi({
      label: `${tag} Orders`,
      permissions: ["orders.read", "orders.write", "orders.old"],
      deprecated: ["orders.old"],
    });
    const reader = await makeApiRole([orders.permissionIds["orders.read"] ?? ""]);
    const editor = await makeRole(["roles.read", "roles.write"]);
    const { principal, user } = await makePrincipal([], [editor.id, reader.id]);
    const billing = await makeApi({
      label: `${tag} Billing`,
      ownerId: user.id,
      permissions: ["invoices.read"],
    });

    const { groups, nextCursor } = await permissionCatalog({ actor: principal, query: tag });
    expect(nextCursor).toBeNull();
    expect(groups.map((g) => g.api.name)).toEqual([billing.name, orders.name]);
    const marks = Object.fromEntries(
      groups.flatMap((g) =>
        g.permissions.map((p) => [p.name, { grantable: p.grantable, deprecated: p.deprecated }]),
      ),
    );
    expect(marks).toEqual({
      "invoices.read": { grantable: true, deprecated: false },
      "orders.old": { grantable: false, deprecated: true },
      "orders.read": { grantable: true, deprecated: false },
      "orders.write": { grantable: false, deprecated: false },
    });
    // Minting: owning Billing is not holding invoices.read, so the token picker does not offer it.
    const forTokens = await permissionCatalog({ actor: principal, query: tag, ...TOKEN_CATALOG });
    expect(forTokens.groups.find((g) => g.api.id === billing.id)?.permissions[0]).toMatchObject({
      grantable: false,
      reason: expect.stringContaining("You own this API") as unknown,
    });
  });

  it("searches by permission name (only matching permissions) or API name (all of them)", async () => {
    const tag = `Srch${Date.now().toString(36)}`;
    const api = await makeApi({ label: `${tag} Shipping`, permissions: ["parcels.read", "labels.print"] });
    const { principal } = await makePrincipal(["admin"]);
    const byPermission = await permissionCatalog({ actor: principal, query: "labels.pri" });
    const group = byPermission.groups.find((g) => g.api.id === api.id);
    expect(group?.permissions.map((p) => p.name)).toEqual(["labels.print"]);
    const byApi = await permissionCatalog({ actor: principal, query: tag.toLowerCase() });
    expect(byApi.groups.map((g) => g.permissions.map((p) => p.name))).toEqual([
      ["labels.print", "parcels.read"],
    ]);
    // LIKE wildcards in the search are literal text, not patterns.
    expect((await permissionCatalog({ actor: principal, query: `${tag}%` })).groups).toEqual([]);
    // The Administrator may grant everything.
    expect(byApi.groups[0]?.permissions.every((p) => p.grantable)).toBe(true);
  });

  it("pages by API with a cursor, and filters personal-token and disabled APIs", async () => {
    const tag = `Page${Date.now().toString(36)}`;
    const made = [];
    for (const n of [1, 2, 3]) made.push(await makeApi({ label: `${tag} ${n}`, permissions: ["x.read"] }));
    const off = await makeApi({ label: `${tag} off`, permissions: ["x.read"], disabled: true });
    const noPat = await makeApi({
      label: `${tag} nopat`,
      permissions: ["x.read"],
      allowPersonalTokens: false,
    });
    const { principal } = await makePrincipal(["admin"]);
    const first = await permissionCatalog({ actor: principal, query: tag, limit: 2 });
    expect(first.groups).toHaveLength(2);
    const second = await permissionCatalog({
      actor: principal,
      query: tag,
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    const third = await permissionCatalog({
      actor: principal,
      query: tag,
      limit: 2,
      cursor: second.nextCursor ?? "",
    });
    expect(third.nextCursor).toBeNull();
    const all = [...first.groups, ...second.groups, ...third.groups].map((g) => g.api.id);
    expect(new Set(all).size).toBe(5);
    const minting = await permissionCatalog({
      actor: principal,
      query: tag,
      includeDisabled: false,
      personalTokensOnly: true,
    });
    expect(minting.groups.map((g) => g.api.id).sort()).toEqual(made.map((m) => m.id).sort());
    expect(minting.groups.some((g) => g.api.id === off.id || g.api.id === noPat.id)).toBe(false);
    const one = await permissionCatalog({ actor: principal, apiId: off.id });
    expect(one.groups.map((g) => g.api.disabled)).toEqual([true]);
  });

  it("leaves Keyward's own API out unless asked, and refuses callers who grant nothing", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const withOwn = await permissionCatalog({ actor: principal, includeBuiltIn: true, limit: 1 });
    expect(withOwn.groups[0]?.api.builtIn).toBe(true);
    expect(withOwn.groups[0]?.permissions.map((p) => p.name)).toContain("roles.write");
    const without = await permissionCatalog({ actor: principal, limit: 100 });
    expect(without.groups.some((g) => g.api.builtIn)).toBe(false);
    const { principal: nobody } = await makePrincipal([]);
    expect(await codeOf(permissionCatalog({ actor: nobody }))).toBe("forbidden");
  });

  it("reads chosen permissions by id wherever they are", async () => {
    const api = await makeApi({ permissions: ["a.read", "a.write"] });
    const { principal } = await makePrincipal(["user_manager"]);
    const groups = await catalogEntries(principal, [api.permissionIds["a.write"] ?? "", "perm_missing"]);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.permissions.map((p) => [p.name, p.grantable])).toEqual([["a.write", false]]);
  });
});

// Guarantee: the catalog's one-query marking is exactly holdings.ts's `ungrantable`, for every
// kind of actor (role holder, owner, Administrator, bearer, someone holding nothing).
describe("the catalog agrees with ungrantable", () => {
  it("for every actor and permission", async () => {
    const tag = `Agree${Date.now().toString(36)}`;
    const orders = await makeApi({
      label: `${tag} Orders`,
      permissions: ["o.read", "o.write", "o.old"],
      deprecated: ["o.old"],
    });
    const reader = await makeApiRole([orders.permissionIds["o.read"] ?? ""]);
    const editor = await makeRole(["roles.read", "roles.write", "users.read"]);
    const holder = await makePrincipal([], [editor.id, reader.id]);
    const owner = await makePrincipal([], [editor.id]);
    await makeApi({ label: `${tag} Billing`, ownerId: owner.user.id, permissions: ["b.read", "b.write"] });
    const admin = await makePrincipal(["admin"]);
    const auditor = await makePrincipal(["auditor"]);
    const bearer = {
      kind: "token" as const,
      tokenId: "tok_x",
      tokenName: "t",
      userId: admin.user.id,
      email: admin.user.email,
      name: "x",
      permissions: admin.principal.permissions,
    };
    const actors = [holder.principal, owner.principal, admin.principal, auditor.principal, bearer];
    let compared = 0;
    for (const actor of actors) {
      for (const includeBuiltIn of [false, true]) {
        const { groups } = await permissionCatalog({
          actor,
          query: includeBuiltIn ? undefined : tag,
          includeBuiltIn,
          limit: includeBuiltIn ? 1 : 20,
        });
        const ids = groups.flatMap((g) => g.permissions.map((p) => p.id));
        const { missing } = await ungrantable(actor, ids);
        const refused = new Set(missing.map((row) => row.id));
        for (const p of groups.flatMap((g) => g.permissions)) {
          expect(p.grantable, `${actor.kind} ${p.name}`).toBe(!refused.has(p.id));
          expect(p.reason === null).toBe(p.grantable);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(5 * 5);
  });
});

import { describe, expect, it } from "vitest";

import type { CatalogGroup } from "@/lib/apis/permission-catalog";

import { filterGroups, mergeGroups } from "./catalog-filter";

const api = (id: string, name: string) => ({
  id,
  name,
  identifier: `https://${id}.example/`,
  builtIn: false,
  disabled: false,
  allowPersonalTokens: true,
});
const perm = (id: string, name: string) => ({
  id,
  name,
  description: "",
  deprecated: false,
  grantable: true,
  reason: null,
});
const orders: CatalogGroup = {
  api: api("a1", "Orders API"),
  permissions: [perm("p2", "orders.write"), perm("p1", "orders.read")],
};
const billing: CatalogGroup = { api: api("a2", "Billing API"), permissions: [perm("p3", "invoices.read")] };

// The picker's client-side search follows the server's rule (lib/apis/permission-catalog.ts).
describe("the picker's merge and filter", () => {
  it("merges sources by API, first appearance first, permissions by name without repeats", () => {
    const chosen: CatalogGroup = { api: orders.api, permissions: [perm("p2", "orders.write")] };
    const merged = mergeGroups([[chosen], [billing, orders]]);
    expect(merged.map((g) => g.api.name)).toEqual(["Orders API", "Billing API"]);
    expect(merged[0]?.permissions.map((p) => p.name)).toEqual(["orders.read", "orders.write"]);
  });

  it("an API name match keeps all its permissions; otherwise only matching permissions", () => {
    expect(filterGroups([orders, billing], "orders api")[0]?.permissions).toHaveLength(2);
    expect(filterGroups([orders, billing], "read").map((g) => g.permissions.map((p) => p.name))).toEqual([
      ["orders.read"],
      ["invoices.read"],
    ]);
    expect(filterGroups([orders, billing], "nothing")).toEqual([]);
    expect(filterGroups([orders, billing], "")).toHaveLength(2);
  });
});

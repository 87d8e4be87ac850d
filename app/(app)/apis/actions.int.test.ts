import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import type { ActionRequest } from "@/lib/http/action";
import { makePrincipal, makeRole, signedInCookie } from "@/test/factories";

import {
  createApiAction,
  removePermissionAction,
  setPermissionDeprecatedAction,
  updateApiAction,
} from "./actions";
import { makeApi } from "@/test/api-factories";

// Guarantee: the /apis forms, submitted as a browser submits them, reach lib/apis through the REST
// routes' schemas: checkbox and select values read right, callers without the right refused with
// nothing written, an API's owner edits their own without apis.read, and a held permission is
// removed only after the server has named its holders and the form confirmed.

async function requestAs(userId: string): Promise<ActionRequest> {
  const { cookie } = await signedInCookie(userId);
  const [name, value] = cookie.split("=", 2) as [string, string];
  return {
    headers: new Headers({ "x-keyward-peer": "203.0.113.9", "user-agent": "vitest" }),
    cookies: { get: (wanted) => (wanted === name ? { value } : undefined) },
  };
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
};

const unique = () => randomBytes(4).toString("hex");

describe("Register an API (form)", () => {
  it("registers with the form's values: an unticked box is false, the lifetime select is seconds", async () => {
    const { user } = await makePrincipal(["admin"]);
    const suffix = unique();
    const { state, redirectTo } = await createApiAction.run(
      await requestAs(user.id),
      form({
        name: `Orders API ${suffix}`,
        identifier: `https://orders-${suffix}.example.test/`,
        description: "Orders",
        owner: user.email,
        accessTokenTtlSeconds: "300",
      }),
    );
    expect(state).toMatchObject({ status: "ok" });
    const api = await db.api.findUniqueOrThrow({ where: { name: `Orders API ${suffix}` } });
    expect(redirectTo).toBe(`/apis/${api.id}?created=1`);
    expect(api).toMatchObject({
      ownerId: user.id,
      accessTokenTtlSeconds: 300,
      allowPersonalTokens: false,
      requireDpop: false,
    });
  });

  it("takes only DPoP-bound tokens when its box is ticked, and stops when an edit leaves it unticked", async () => {
    const { user } = await makePrincipal(["admin"]);
    const suffix = unique();
    const fields = {
      name: `Bound API ${suffix}`,
      identifier: `https://bound-${suffix}.example.test/`,
      owner: user.email,
      accessTokenTtlSeconds: "900",
    };
    const request = await requestAs(user.id);
    const created = await createApiAction.run(request, form({ ...fields, requireDpop: "on" }));
    expect(created.state).toMatchObject({ status: "ok" });
    const api = await db.api.findUniqueOrThrow({ where: { name: fields.name } });
    expect(api.requireDpop).toBe(true);
    const edited = await updateApiAction.run(request, form({ ...fields, apiId: api.id }));
    expect(edited.state).toMatchObject({ status: "ok" });
    expect((await db.api.findUniqueOrThrow({ where: { id: api.id } })).requireDpop).toBe(false);
  });

  it("refuses a lifetime above the settings' cap under its field, and a Member altogether", async () => {
    const { user: admin } = await makePrincipal(["admin"]);
    const suffix = unique();
    const fields = {
      name: `Too long ${suffix}`,
      identifier: `https://long-${suffix}.example.test/`,
      owner: admin.email,
      accessTokenTtlSeconds: "86400",
      allowPersonalTokens: "on",
    };
    const tooLong = await createApiAction.run(await requestAs(admin.id), form(fields));
    expect(tooLong.state).toMatchObject({ status: "error", code: "invalid" });
    expect(tooLong.state.status === "error" && tooLong.state.fields.accessTokenTtlSeconds).toMatch(/At most/);

    const { user: member } = await makePrincipal(["member"]);
    const refused = await createApiAction.run(
      await requestAs(member.id),
      form({ ...fields, owner: member.email, accessTokenTtlSeconds: "900" }),
    );
    expect(refused.state).toMatchObject({ status: "error", code: "forbidden" });
    expect(await db.api.count({ where: { name: `Too long ${suffix}` } })).toBe(0);
  });
});

describe("Edit an API (form)", () => {
  it("lets its owner without apis.read edit it, and shows anyone else nothing", async () => {
    const { user: owner } = await makePrincipal(["member"]);
    const api = await makeApi({ ownerId: owner.id });
    const edit = form({
      apiId: api.id,
      name: `${api.name} v2`,
      description: "Renamed by its owner",
      owner: owner.email,
      accessTokenTtlSeconds: "600",
      allowPersonalTokens: "on",
    });
    expect((await updateApiAction.run(await requestAs(owner.id), edit)).state).toMatchObject({
      status: "ok",
    });
    expect(await db.api.findUniqueOrThrow({ where: { id: api.id } })).toMatchObject({
      name: `${api.name} v2`,
      accessTokenTtlSeconds: 600,
      allowPersonalTokens: true,
    });

    const { user: stranger } = await makePrincipal(["member"]);
    const other = await updateApiAction.run(await requestAs(stranger.id), edit);
    expect(other.state).toMatchObject({ status: "error", code: "not_found" });
  });
});

describe("Remove a permission (form)", () => {
  it("names the role holding it first, and removes it from the role only when confirmed", async () => {
    const { user } = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const permissionId = api.permissionIds["orders.write"] ?? "";
    const role = await makeRole([], `Order writers ${unique()}`);
    await db.rolePermission.create({ data: { roleId: role.id, permissionId } });
    const request = await requestAs(user.id);
    const ref = { apiId: api.id, permissionId };

    const early = await removePermissionAction.run(request, form({ ...ref, confirm: "true" }));
    expect(early.state).toMatchObject({ status: "error", code: "conflict" });
    expect(early.state.status === "error" && early.state.message).toMatch(/^Deprecate orders\.write/);

    const deprecated = await setPermissionDeprecatedAction.run(request, form({ ...ref, deprecated: "true" }));
    expect(deprecated.state).toMatchObject({ status: "ok" });
    const asked = await removePermissionAction.run(request, form({ ...ref, confirm: "false" }));
    expect(asked.state).toMatchObject({ status: "error", code: "conflict" });
    expect(asked.state.status === "error" && asked.state.message).toContain(`role ${role.name}`);
    expect(await db.rolePermission.count({ where: { permissionId } })).toBe(1);

    const confirmed = await removePermissionAction.run(request, form({ ...ref, confirm: "true" }));
    expect(confirmed.state).toMatchObject({ status: "ok" });
    expect(await db.apiPermission.count({ where: { id: permissionId } })).toBe(0);
    expect(await db.rolePermission.count({ where: { roleId: role.id } })).toBe(0);
  });
});

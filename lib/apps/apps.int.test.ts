import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";
import type { z } from "zod";

import * as appRoute from "@/app/api/v1/apps/[appId]/route";
import * as appsRoute from "@/app/api/v1/apps/route";
import { V1 } from "@/lib/api/v1-operations";
import { removePermission } from "@/lib/apis/api-permissions";
import { sha256Hex } from "@/lib/crypto/hash";
import { db } from "@/lib/db/client";
import { makeApi, makeApiRole } from "@/test/api-factories";
import { appRegistration } from "@/test/app-factories";
import { mintTestToken } from "@/test/credentials";
import { codeOf, makePrincipal, makeRole, present, signedInCookie, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";

import type { CreateAppInput } from "./app-schemas.ts";
import { createAppSchema } from "./app-schemas.ts";
import { getApp, listApps } from "./list-apps.ts";
import { createApp, deleteApp, rotateAppSecret, setAppDisabled, updateApp } from "./manage-apps.ts";
import { verifyAppSecret } from "./verify-app-secret.ts";
import { appClientMetadata } from "../oidc/client-metadata.ts";

type Handler = Parameters<typeof call>[0];
const h = (handler: unknown) => handler as Handler;
const context = TEST_CONTEXT;
const unique = () => randomBytes(4).toString("hex");

const editOf = (input: CreateAppInput) => {
  const { kind: _kind, ...rest } = input;
  return rest;
};

// Guarantee (issue 15 §1): an application is registered by apps.write under step-up; a web app's
// secret is shown once and stored as a hash; redirect URIs are exact, https (or loopback) and
// fragment-free; nobody lets an app ask for a permission they may not grant; each change is audited.
describe("registering applications", () => {
  it("gives a web app a secret shown once and stored as a hash, a public app none, and audits both", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const web = await createApp({ actor: principal, input: appRegistration(), context });
    expect(web.clientId).toBe(web.id);
    expect(web.clientSecret).toMatch(/^kw_as_[0-9A-Za-z]{28}$/);
    const stored = await db.applicationSecret.findMany({ where: { appId: web.id } });
    expect(stored).toHaveLength(1);
    expect(present(stored[0]).hash).toBe(sha256Hex(present(web.clientSecret)));
    const event = present(
      await db.auditEvent.findFirst({ where: { action: "app.created", targetId: web.id } }),
    );
    expect(JSON.stringify(event.details)).not.toContain(present(web.clientSecret));
    expect(event).toMatchObject({ actorId: principal.userId, targetKind: "app" });

    const spa = await createApp({
      actor: principal,
      input: appRegistration({ kind: "spa", redirectUris: ["http://localhost:5173/callback"] }),
      context,
    });
    expect(spa.clientSecret).toBeNull();
    expect((await getApp(principal, spa.id)).secrets).toEqual([]);
    expect(await codeOf(rotateAppSecret({ actor: principal, id: spa.id, overlapMinutes: 0, context }))).toBe(
      "invalid",
    );
  });

  it("checks a presented secret against the app's live secrets only", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const app = await createApp({ actor: principal, input: appRegistration(), context });
    const first = present(app.clientSecret);
    expect(await verifyAppSecret(app.id, first)).toBe(true);
    const other = await createApp({ actor: principal, input: appRegistration(), context });
    expect(await verifyAppSecret(other.id, first)).toBe(false);
    const hash = present(await db.applicationSecret.findFirst({ where: { appId: app.id } })).hash;
    expect(await verifyAppSecret(app.id, hash)).toBe(false);
    const { clientSecret: second } = await rotateAppSecret({
      actor: principal,
      id: app.id,
      overlapMinutes: 0,
      context,
    });
    expect(await verifyAppSecret(app.id, first)).toBe(false);
    expect(await verifyAppSecret(app.id, second)).toBe(true);
    await setAppDisabled({ actor: principal, id: app.id, disabled: true, context });
    expect(await verifyAppSecret(app.id, second)).toBe(false);
  });

  it.each([
    ["web", "http://portal.example.test/callback", "https://"],
    ["web", "https://portal.example.test/callback#done", "fragment"],
    ["web", "https://*.example.test/callback", "wildcards"],
    ["web", "javascript:alert(1)", "https://"],
    ["web", "com.example.app:/callback", "https://"],
    ["spa", "https://user:pass@portal.example.test/", "user name"],
    ["native", "myapp:/callback", "private-use"],
    ["native", "https://portal.example.test/cb\u0000", "control"],
    // Another spelling of a host reads as one host here and another elsewhere: written canonically only.
    ["web", "http://localhost\\@evil.example/cb", "@"],
    ["web", "http://%6c%6f%63%61%6c%68%6f%73%74/cb", "Write it as http://localhost/cb"],
    ["web", "http://0x7f.1/cb", "Write it as http://127.0.0.1/cb"],
    ["web", "https:evil.example/cb", "Write it as https://evil.example/cb"],
    ["web", "HTTPS://PORTAL.EXAMPLE.TEST/cb", "Write it as https://portal.example.test/cb"],
    ["web", "https://portal.example.test:443/cb", "Write it as https://portal.example.test/cb"],
    ["native", "https://127.0.0.1/cb", "http://"],
  ])("refuses a %s app's redirect URI %j, naming the rule", (kind, uri, words) => {
    const result = createAppSchema.safeParse({ kind, name: "x", redirectUris: [uri] });
    expect(result.success).toBe(false);
    const issue = present(result.error?.issues[0]);
    expect(issue.path).toEqual(["redirectUris", 0]);
    expect(issue.message).toContain(words);
  });

  it.each([
    ["native", "http://127.0.0.1/callback"],
    ["native", "com.example.app:/callback"],
    ["native", "https://app.example.test/oauth"],
    ["web", "http://localhost:3000/callback"],
    ["spa", "https://spa.example.test/"],
  ])("accepts a %s app's redirect URI %j", (kind, uri) => {
    expect(createAppSchema.safeParse({ kind, name: "x", redirectUris: [uri] }).success).toBe(true);
  });

  it("refuses empty, duplicated or too many URIs, restriction without roles and lifetimes out of order", () => {
    const issues = (fields: Record<string, unknown>) =>
      createAppSchema
        .safeParse({ kind: "web", name: "x", redirectUris: ["https://a.test/cb"], ...fields })
        .error?.issues.map((issue) => issue.path.join("."));
    expect(issues({ redirectUris: [] })).toEqual(["redirectUris"]);
    expect(issues({ redirectUris: ["https://a.test/cb", "https://a.test/cb"] })).toEqual(["redirectUris"]);
    expect(issues({ redirectUris: Array.from({ length: 11 }, (_, i) => `https://a.test/${i}`) })).toEqual([
      "redirectUris",
    ]);
    expect(issues({ restrictedToRoles: true })).toEqual(["signInRoleIds"]);
    expect(issues({ refreshTokenIdleSeconds: 86_400, refreshTokenAbsoluteSeconds: 3_600 })).toEqual([
      "refreshTokenAbsoluteSeconds",
    ]);
    expect(issues({ name: "a\u0000b" })).toEqual(["name"]);
    expect(issues({ backchannelLogoutUri: "http://rp.example.test/logout" })).toEqual([
      "backchannelLogoutUri",
    ]);
    expect(issues({ backchannelLogoutUri: "https://127.0.0.1/logout" })).toEqual(["backchannelLogoutUri"]);
    expect(issues({ backchannelLogoutUri: "https://10.0.0.1/logout" })).toEqual(["backchannelLogoutUri"]);
    expect(issues({ backchannelLogoutUri: "https://rp.example.test/logout" })).toBeUndefined();
    // The same role twice is one role.
    const parsed = createAppSchema.parse({
      kind: "web",
      name: "x",
      redirectUris: ["https://a.test/cb"],
      signInRoleIds: ["rol_b", "rol_a", "rol_b"],
    });
    expect(parsed.signInRoleIds).toEqual(["rol_a", "rol_b"]);
  });

  it("lets an app ask only for permissions the registrant may grant, never Keyward's own", async () => {
    const orders = await makeApi({ permissions: ["orders.read", "orders.write"], label: "Orders" });
    const read = present(orders.permissionIds["orders.read"]);
    const write = present(orders.permissionIds["orders.write"]);
    const appsRole = await makeRole(["apps.read", "apps.write"]);
    const apiRole = await makeApiRole([read]);
    const { principal } = await makePrincipal([], [appsRole.id, apiRole.id]);
    const ok = await createApp({
      actor: principal,
      input: appRegistration({ apiPermissionIds: [read] }),
      context,
    });
    expect((await getApp(principal, ok.id)).permissions).toMatchObject([
      { name: "orders.read", apiId: orders.id },
    ]);
    expect(
      await codeOf(
        createApp({ actor: principal, input: appRegistration({ apiPermissionIds: [write] }), context }),
      ),
    ).toBe("forbidden");
    expect(
      await codeOf(
        createApp({
          actor: principal,
          input: appRegistration({ apiPermissionIds: ["perm_keyward_users.read"] }),
          context,
        }),
      ),
    ).toBe("invalid");
    // Widening an existing app is granting too.
    const wider = {
      ...editOf(appRegistration({ apiPermissionIds: [read, write] })),
      name: `Wider ${unique()}`,
    };
    expect(await codeOf(updateApp({ actor: principal, id: ok.id, input: wider, context }))).toBe("forbidden");

    // An app asking for what the editor may not grant is not theirs to manage at all: re-pointing
    // its redirect URIs (keeping its permissions), rotating its secret, switching it or deleting it.
    const { principal: admin } = await makePrincipal(["admin"]);
    const strong = await createApp({
      actor: admin,
      input: appRegistration({ apiPermissionIds: [write] }),
      context,
    });
    const repoint = {
      ...editOf(
        appRegistration({ apiPermissionIds: [write], redirectUris: ["https://attacker.example/cb"] }),
      ),
      name: `Repointed ${unique()}`,
    };
    for (const attempt of [
      () => updateApp({ actor: principal, id: strong.id, input: repoint, context }),
      () => rotateAppSecret({ actor: principal, id: strong.id, overlapMinutes: 0, context }),
      () => setAppDisabled({ actor: principal, id: strong.id, disabled: true, context }),
      () => deleteApp({ actor: principal, id: strong.id, context }),
    ]) {
      expect(await codeOf(attempt())).toBe("forbidden");
    }
    expect((await getApp(admin, strong.id)).redirectUris).toEqual(["https://portal.example.test/callback"]);
  });

  it("edits, disables, enables and deletes with audit events, and keeps the kind and unique names", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const first = appRegistration();
    const app = await createApp({ actor: principal, input: first, context });
    const other = await createApp({ actor: principal, input: appRegistration(), context });
    const role = await makeRole([], `Portal users ${unique()}`);
    const edit = {
      ...editOf(first),
      redirectUris: ["https://portal.example.test/callback", "https://portal.example.test/cb2"],
      restrictedToRoles: true,
      signInRoleIds: [role.id],
      firstParty: true,
    };
    await updateApp({ actor: principal, id: app.id, input: { ...edit, requireDpop: true }, context });
    expect(await getApp(principal, app.id)).toMatchObject({
      kind: "web",
      redirectUris: edit.redirectUris,
      restrictedToRoles: true,
      signInRoles: [{ id: role.id }],
      firstParty: true,
      requireDpop: true,
    });
    // The provider reads it as RFC 9449 §5.2's client metadata, and refuses the app bearer grants.
    expect(await appClientMetadata(app.id)).toMatchObject({ dpop_bound_access_tokens: true });
    const clash = { ...edit, name: (await getApp(principal, other.id)).name.toUpperCase() };
    expect(await codeOf(updateApp({ actor: principal, id: app.id, input: clash, context }))).toBe("conflict");
    // A web app's URIs stay web rules on an edit: no private-use scheme.
    const native = { ...edit, redirectUris: ["com.example.app:/callback"] };
    expect(await codeOf(updateApp({ actor: principal, id: app.id, input: native, context }))).toBe("invalid");

    const rotated = await rotateAppSecret({ actor: principal, id: app.id, overlapMinutes: 60, context });
    expect((await getApp(principal, app.id)).secrets).toHaveLength(2);
    expect(rotated.oldSecretExpiresAt).toBeInstanceOf(Date);

    await setAppDisabled({ actor: principal, id: app.id, disabled: true, context });
    expect((await getApp(principal, app.id)).disabled).toBe(true);
    await setAppDisabled({ actor: principal, id: app.id, disabled: false, context });
    // A user's consent and a token it issued, as the provider stores them: they go with the app.
    const kept = {
      model: "Grant",
      idHash: `grant-${app.id}`,
      payload: {},
      clientId: app.id,
      accountId: principal.userId,
    };
    await db.oidcPayload.createMany({
      data: [kept, { ...kept, model: "RefreshToken", idHash: `refresh-${app.id}`, grantId: "g" }],
    });
    await deleteApp({ actor: principal, id: app.id, context });
    expect(await codeOf(getApp(principal, app.id))).toBe("not_found");
    expect(await db.oidcPayload.count({ where: { clientId: app.id } })).toBe(0);
    const actions = await db.auditEvent.findMany({
      where: { targetId: app.id },
      orderBy: { id: "asc" },
      select: { action: true },
    });
    expect(actions.map((event) => event.action)).toEqual([
      "app.created",
      "app.updated",
      "app.secret_rotated",
      "app.disabled",
      "app.enabled",
      "app.deleted",
    ]);
    expect(
      (await db.auditEvent.findFirst({ where: { targetId: app.id, action: "app.deleted" } }))?.details,
    ).toMatchObject({ endedGrants: 1 });
  });

  it("names the apps among a permission's holders, and takes it from them once confirmed", async () => {
    const orders = await makeApi({
      permissions: ["orders.read"],
      deprecated: ["orders.old"],
      label: "Orders",
    });
    const old = present(orders.permissionIds["orders.old"]);
    const { principal } = await makePrincipal(["admin"]);
    // Deprecated permissions take no new grants: the app held it from before.
    const app = await createApp({ actor: principal, input: appRegistration(), context });
    await db.applicationPermission.create({ data: { appId: app.id, permissionId: old } });
    const refused = await codeOf(
      removePermission({ actor: principal, apiId: orders.id, permissionId: old, confirm: false, context }),
    );
    expect(refused).toBe("conflict");
    await removePermission({ actor: principal, apiId: orders.id, permissionId: old, confirm: true, context });
    expect(await db.applicationPermission.count({ where: { appId: app.id } })).toBe(0);
  });

  it("is refused to readers, members and bearer credentials as the REST API declares", async () => {
    const { principal: member } = await makePrincipal(["member"]);
    expect(await codeOf(listApps(member, { limit: 50 }))).toBe("forbidden");
    expect(await codeOf(createApp({ actor: member, input: appRegistration(), context }))).toBe("forbidden");

    const { principal: admin, user } = await makePrincipal(["admin"]);
    const { token } = await mintTestToken(admin, ["apps.read", "apps.write"]);
    const byToken = await call(h(appsRoute.POST), { bearer: token, json: appRegistration() });
    expect(byToken.status).toBe(403);
    expect(byToken.body.type).toBe("urn:keyward:problem:session_required");

    const { cookie } = await signedInCookie(user.id);
    const created = await call(h(appsRoute.POST), {
      cookie,
      json: { ...appRegistration(), owner: undefined },
    });
    expect(created.status).toBe(201);
    const appId = String(created.body.id);
    expect(created.headers.get("location")).toBe(`/api/v1/apps/${appId}`);
    const schema = (op: { response?: unknown }) => op.response as z.ZodType;
    expect(schema(V1.createApp).parse(created.body)).toEqual(created.body);
    const read = await call(h(appRoute.GET), { bearer: token, params: { appId } });
    expect(read.status).toBe(200);
    expect(schema(V1.getApp).parse(read.body)).toEqual(read.body);

    const bad = await call(h(appsRoute.POST), {
      cookie,
      json: { kind: "web", name: "x", redirectUris: ["http://evil.example/cb"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.stringify(bad.body)).toContain("redirectUris.0");
  });
});

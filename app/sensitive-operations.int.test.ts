import { afterAll, describe, expect, it } from "vitest";

import { openApiDocument } from "@/lib/api/openapi";
import { needsStepUp, type Operation } from "@/lib/api/operation";
import { V1 } from "@/lib/api/v1-operations";
import { newId } from "@/lib/crypto/ids";
import { db } from "@/lib/db/client";
import type { ActionRequest } from "@/lib/http/action";
import { PERMISSIONS } from "@/lib/policy/permissions";
import { clientAccessToken, makeTestClient, mintTestToken } from "@/test/credentials";
import { makePrincipal, makeRole, makeUser, signedInCookie, uniqueEmail } from "@/test/factories";
import { fieldsOf } from "@/test/fuzz";
import { call } from "@/test/requests";
import { V1_ROUTE_MODULES } from "@/test/v1-route-modules";
import { allServerActions } from "@/test/server-actions";

import { makeResourceServer } from "@/test/resource-servers";
import { makeApi } from "@/test/api-factories";

/**
 * DESIGN.md, "Sensitive operations", proven by walking every REST operation and every server
 * action through the real wrappers: what changes how an account proves itself or what it may do
 * answers `step_up_required` to a session outside the step-up window, and what mints a credential,
 * a secret or a link answers `session_required` to every bearer credential, however many scopes it
 * holds. The rest answers neither. The lists below name what MUST be sensitive, so that dropping a
 * declaration fails here, not in a review.
 */

/** Step-up (a recent sign-in, with the second factor when there is one) before any of these. */
const MUST_STEP_UP_OPERATIONS = [
  // email, user disable and delete
  "updateUser",
  "disableUser",
  "deleteUser",
  // role assignment
  "assignRole",
  "removeRole",
  // roles and their flags
  "createRole",
  "updateRole",
  "deleteRole",
  // ending sessions
  "endUserSessions",
  "endUserSession",
  "endAllSessions",
  // what a client may do, and whether it works
  "updateClient",
  "disableClient",
  "deleteClient",
  // the API registry: what changes or takes away what credentials hold (issue 14)
  "updateApi",
  "deleteApi",
  "removeApiPermission",

  // an API's resource-server credentials
  "revokeResourceServerCredential",
  // applications: whether they work (issue 15)
  "disableApp",
  "enableApp",
  "deleteApp",
  // the overview's remedies: what a credential may do and how long, and silencing a warning (issue 17)
  "narrowToken",
  "narrowClient",
  "setTokenExpiry",
  "setClientSecretExpiry",
  "acceptRisk",
];

/** Only a signed-in person under step-up: each creates or hands out a credential, a secret or a link. */
const MUST_BE_SESSION_ONLY_OPERATIONS = [
  "inviteUser",
  "resetUserPassword",
  "mintToken",
  "rotateToken",
  "createClient",
  "rotateClientSecret",
  "reassignClient",
  "acceptClientReassignment",
  "createResourceServerCredential",
  "rotateResourceServerSecret",
  "createApp",
  "updateApp",
  "rotateAppSecret",
  // taking one's consent back from an app: a person's own act, as in the UI (issue 15)
  "revokeMyApp",
  // one's own notification choices: a leaked bearer credential must not silence its owner's mail
  "getMyNotifications",
  "updateMyNotifications",
];

/** Every server action that must ask for step-up (an action's caller is always a session). */
const MUST_STEP_UP_ACTIONS = [
  // factors, recovery codes, password, one's own sessions
  "(app)/account/security/actions.ts#startTotpAction",
  "(app)/account/security/actions.ts#confirmTotpAction",
  "(app)/account/security/actions.ts#removeFactorAction",
  "(app)/account/security/actions.ts#regenerateRecoveryCodesAction",
  "(app)/account/security/actions.ts#endOtherSessionsAction",
  "(app)/account/security/actions.ts#changePasswordAction",
  "(app)/account/actions.ts#endMySessionAction",
  "(app)/account/apps/actions.ts#revokeConnectedAppAction",
  "(app)/users/actions.ts#endUserAppAction",
  // credentials: creation, rotation, reassignment, scopes, disabling
  "(app)/clients/actions.ts#createClientAction",
  "(app)/clients/actions.ts#updateClientAction",
  "(app)/clients/actions.ts#rotateClientSecretAction",
  "(app)/clients/actions.ts#disableClientAction",
  "(app)/clients/actions.ts#deleteClientAction",
  "(app)/clients/actions.ts#reassignClientAction",
  "(app)/clients/actions.ts#acceptClientReassignmentAction",
  "(app)/tokens/actions.ts#mintTokenAction",
  "(app)/tokens/actions.ts#rotateTokenAction",
  // roles and their flags
  "(app)/roles/actions.ts#createRoleAction",
  "(app)/roles/actions.ts#updateRoleAction",
  "(app)/roles/actions.ts#deleteRoleAction",
  // settings (signing keys, everyone's sessions)
  "(app)/settings/actions.ts#updateSecuritySettingsAction",
  "(app)/settings/actions.ts#updateCredentialSettingsAction",
  "(app)/settings/actions.ts#updateAuditSettingsAction",
  "(app)/settings/actions.ts#rotateSigningKeyAction",
  "(app)/settings/actions.ts#endAllSessionsAction",
  // users: invitations, resets, email, disabling, deleting, roles, MFA reset, sessions
  "(app)/users/actions.ts#inviteUserAction",
  "(app)/users/actions.ts#resendInvitationAction",
  "(app)/users/actions.ts#resetPasswordAction",
  "(app)/users/actions.ts#updateUserAction",
  "(app)/users/actions.ts#disableUserAction",
  "(app)/users/actions.ts#deleteUserAction",
  "(app)/users/actions.ts#assignRoleAction",
  "(app)/users/actions.ts#removeRoleAction",
  "(app)/users/actions.ts#resetMfaAction",
  "(app)/users/actions.ts#endUserSessionAction",
  "(app)/users/actions.ts#endAllUserSessionsAction",
  // an API's resource-server credentials
  "(app)/apis/[id]/resource-server-actions.ts#createResourceServerCredentialAction",
  "(app)/apis/[id]/resource-server-actions.ts#rotateResourceServerSecretAction",
  "(app)/apis/[id]/resource-server-actions.ts#revokeResourceServerCredentialAction",
  // the API registry's forms
  ...[
    "createApiAction",
    "updateApiAction",
    "disableApiAction",
    "enableApiAction",
    "deleteApiAction",
    "addPermissionAction",
    "setPermissionDeprecatedAction",
    "removePermissionAction",
  ].map((name) => `(app)/apis/actions.ts#${name}`),
  // applications (issue 15)
  ...[
    "createAppAction",
    "updateAppAction",
    "rotateAppSecretAction",
    "disableAppAction",
    "enableAppAction",
    "deleteAppAction",
  ].map((name) => `(app)/apps/actions.ts#${name}`),
];

type Handler = Parameters<typeof call>[0];
const MODULES = V1_ROUTE_MODULES;

/** Answers with a CSV or JSON Lines stream, which test/requests.ts does not parse: a read, walked below as such. */
const STREAMED = new Set<string>([V1.exportAuditEvents.operationId, V1.exportRisk.operationId]);
const ALL_OPERATIONS = (Object.values(V1) as Operation[]).filter((op) => op.permission !== "public");
const OPERATIONS = ALL_OPERATIONS.filter((op) => !STREAMED.has(op.operationId));

/**
 * Real rows for every path parameter and valid bodies, so that an operation not declared sensitive
 * reaches its domain function (where a forgotten declaration would show as a step-up anyway).
 */
async function world() {
  const { user: admin, principal } = await makePrincipal(["admin"]);
  const target = await makeUser({ roles: ["developer"] });
  const proposed = await makeUser({ roles: ["admin"] });
  const customRole = await makeRole(["users.read"]);
  const spareToken = await mintTestToken(principal, ["users.read"]);
  const ownClient = await makeTestClient(principal, ["users.read"]);
  const targetSession = await signedInCookie(target.id);
  const event = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" }, select: { id: true } });
  const registered = await makeApi({ ownerId: admin.id, permissions: ["walk.read"] });
  // A live acceptance of the spare token's idleness, for withdrawing it (issue 17).
  const acceptance = await db.riskAcceptance.create({
    data: {
      id: newId("rsk"),
      risk: "tokens.idle",
      targetId: spareToken.id,
      targetKind: "token",
      reason: "Walked.",
      until: new Date(Date.now() + 7 * 86_400_000),
      acceptedById: admin.id,
      acceptedBy: admin.email,
    },
  });
  const ids: Record<string, string> = {
    userId: target.id,
    roleId: customRole.id,
    tokenId: spareToken.id,
    clientId: ownClient.clientId,
    sessionId: targetSession.sessionId,
    eventId: String(event.id),
    factorId: "tf_missing0000000000000",
    apiId: registered.id,
    permissionId: registered.permissionIds["walk.read"] ?? "",
    credentialId: (await makeResourceServer(registered.id)).credentialId,
    risk: "tokens.idle",
    acceptanceId: acceptance.id,
  };
  const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const bodies: Record<string, unknown> = {
    inviteUser: { email: uniqueEmail("walk"), name: "Walk" },
    updateUser: { name: "Renamed", email: uniqueEmail("renamed") },
    createRole: { name: `Walk role ${Date.now()}`, permissions: ["users.read"] },
    updateRole: { name: `Walk role renamed ${Date.now()}`, permissions: ["users.read"] },
    mintToken: { name: "walk", scopes: ["users.read"], expiration: "7" },
    rotateToken: { overlapMinutes: 0 },
    createClient: { name: "walk", scopes: ["users.read"] },
    updateClient: { name: "walk", scopes: ["users.read"] },
    rotateClientSecret: { overlapMinutes: 0 },
    reassignClient: { owner: proposed.email },
    acceptClientReassignment: { overlapMinutes: 0 },
    createApi: { name: `Walk API ${Date.now()}`, identifier: `https://walk-${Date.now()}.example.test/` },
    updateApi: { description: "walked" },
    addApiPermission: { name: "walk.write" },
    updateApiPermission: { description: "walked" },
    importApiPermissions: { permissions: [{ name: "walk.imported" }] },

    createResourceServerCredential: { name: "walk" },
    rotateResourceServerSecret: { overlapMinutes: 0 },
    setTokenExpiry: { expiresAt: inAWeek },
    setClientSecretExpiry: { expiresAt: inAWeek },
    remindOwner: { targetId: spareToken.id },
    acceptRisk: { risk: "tokens.idle", targetId: spareToken.id, reason: "Walked.", until: inAWeek },
    updateMyNotifications: { credentialDigest: true, failureAlerts: false },
  };
  return { admin, principal, target, proposed, ids, bodies, ownClient };
}

/** Moves a session's last sign-in out of the step-up window (as if it had been left open). */
async function makeStale(sessionId: string) {
  await db.session.update({
    where: { id: sessionId },
    data: { authTime: new Date(Date.now() - 6 * 3_600_000), mfaTime: null },
  });
}

let requests = 0;
const refusedRequestIds: string[] = [];

function request(
  op: Operation,
  ids: Record<string, string>,
  bodies: Record<string, unknown>,
  credential: { bearer?: string; cookie?: string; ip?: string },
) {
  const handler = MODULES[op.path]?.[op.method] as Handler | undefined;
  if (!handler) throw new Error(`no handler for ${op.method} ${op.path}`);
  const params = Object.fromEntries(
    [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, ids[name as string] as string]),
  );
  const requestId = `walk-${requests++}`;
  return {
    requestId,
    response: call(handler, {
      method: op.method,
      path: `/api/v1${op.path}`,
      params,
      headers: { "x-request-id": requestId },
      ...(bodies[op.operationId] !== undefined ? { json: bodies[op.operationId] } : {}),
      ...credential,
    }),
  };
}

const actions = await allServerActions();

describe("sensitive operations", () => {
  it("are declared: every operation and action that must be sensitive says so", () => {
    const byId = new Map(ALL_OPERATIONS.map((op) => [op.operationId, op]));
    for (const id of STREAMED) expect(needsStepUp(byId.get(id) ?? {}), id).toBe(false);
    for (const id of [...MUST_STEP_UP_OPERATIONS, ...MUST_BE_SESSION_ONLY_OPERATIONS])
      expect(byId.has(id), `${id} exists`).toBe(true);
    for (const id of MUST_STEP_UP_OPERATIONS)
      expect(needsStepUp(byId.get(id) ?? { stepUp: false }), `${id} declares stepUp`).toBe(true);
    for (const id of MUST_BE_SESSION_ONLY_OPERATIONS)
      expect(byId.get(id)?.session, `${id} declares session`).toBe(true);
    const names = new Map(actions.map(({ name, action }) => [name, action]));
    for (const name of MUST_STEP_UP_ACTIONS) {
      expect(names.has(name), `${name} exists`).toBe(true);
      expect(names.get(name)?.stepUp, `${name} declares stepUp`).toBe(true);
    }
    // Public forms have no session to step up.
    expect(actions.length).toBeGreaterThanOrEqual(40);
  });

  it("are documented: the OpenAPI document names the proof each operation needs", () => {
    type Doc = {
      paths: Record<
        string,
        Record<string, { description: string; responses: Record<string, { description: string }> }>
      >;
    };
    const doc = openApiDocument() as Doc;
    for (const op of ALL_OPERATIONS) {
      const documented = doc.paths[`/api/v1${op.path}`]?.[op.method.toLowerCase()];
      const session = /session_required/;
      const stepUp = /step_up_required/;
      expect(session.test(documented?.responses["403"]?.description ?? ""), op.operationId).toBe(
        op.session === true,
      );
      expect(session.test(documented?.description ?? ""), op.operationId).toBe(op.session === true);
      expect(stepUp.test(documented?.responses["401"]?.description ?? ""), op.operationId).toBe(
        needsStepUp(op),
      );
    }
  });

  it("every v1 operation: step_up_required to a stale session exactly where declared", async () => {
    const { admin, ids, bodies, ownClient, proposed, principal } = await world();
    // A pending proposal to the admin, so that accepting and declining have something to act on.
    const offered = await makeTestClient((await makePrincipal(["admin"])).principal, ["users.read"]);
    await db.apiClient.update({
      where: { id: offered.clientId },
      data: { pendingOwnerId: principal.userId, pendingOwnerSince: new Date() },
    });
    const { cookie, sessionId } = await signedInCookie(admin.id);
    await makeStale(sessionId);
    const walkIds = { ...ids };
    for (const op of OPERATIONS) {
      const accepting = op.path.startsWith("/clients/{clientId}/owner/");
      const { requestId, response } = request(
        op,
        { ...walkIds, ...(accepting ? { clientId: offered.clientId } : {}) },
        bodies,
        { cookie },
      );
      const answer = await response;
      if (needsStepUp(op)) {
        expect(answer.status, op.operationId).toBe(401);
        expect(answer.body.type, op.operationId).toBe("urn:keyward:problem:step_up_required");
        refusedRequestIds.push(requestId);
      } else {
        expect(answer.body.type ?? "ok", op.operationId).not.toBe("urn:keyward:problem:step_up_required");
        expect(answer.status, `${op.operationId}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
      }
    }
    // Nothing declared sensitive changed anything: the client is still the admin's, with its secret.
    const after = await db.apiClient.findUniqueOrThrow({ where: { id: ownClient.clientId } });
    expect(after.ownerId).toBe(admin.id);
    expect(after.pendingOwnerId).not.toBe(proposed.id);
  });

  it("every v1 operation: session_required to a personal token and a client token holding every permission, exactly where declared", async () => {
    const { principal, ids, bodies, ownClient } = await world();
    const pat = await mintTestToken(principal, [...PERMISSIONS]);
    const wide = await makeTestClient(principal, [...PERMISSIONS]);
    const clientToken = await clientAccessToken(wide.clientId, wide.clientSecret);
    // Ending sessions and deleting rows would disturb the walk: name nothing real here except
    // what session-only operations act on (they must refuse before looking).
    const missing: Record<string, string> = {
      userId: "usr_missing0000000000000",
      roleId: "rol_missing0000000000000",
      tokenId: "tok_missing0000000000000",
      clientId: "cli_missing0000000000000",
      sessionId: "ses_missing0000000000000",
      eventId: "999999999999",
      apiId: "api_missing0000000000000",
      permissionId: "perm_missing0000000000000",

      id: "api_missing0000000000000",
      credentialId: "rs_missing0000000000000",
      acceptanceId: "rsk_missing0000000000000",
    };
    // Each credential from its own address: denials are recorded at most 30 a minute per action and
    // address (DESIGN.md, "Audit"), and the session-only operations outnumber that for two.
    for (const [kind, bearer, ip] of [
      ["personal token", pat.token, "203.0.113.61"],
      ["client token", clientToken, "203.0.113.62"],
    ] as const) {
      for (const op of OPERATIONS) {
        const { requestId, response } = request(op, op.session ? ids : missing, bodies, { bearer, ip });
        const answer = await response;
        if (op.session) {
          expect(answer.status, `${op.operationId} with a ${kind}`).toBe(403);
          expect(answer.body.type, `${op.operationId} with a ${kind}`).toBe(
            "urn:keyward:problem:session_required",
          );
          expect(JSON.stringify(answer.body), op.operationId).not.toMatch(/kw_(cs|pat|rs)_|token=|\/invite/);
          refusedRequestIds.push(requestId);
        } else {
          expect(answer.body.type ?? "ok", `${op.operationId} with a ${kind}`).not.toBe(
            "urn:keyward:problem:session_required",
          );
        }
      }
    }
    // The real client named in the session-only calls kept its one secret and its owner.
    expect(await db.apiClientSecret.count({ where: { clientId: ownClient.clientId } })).toBe(1);
    // ASVS 16.3.2: each refusal is on the record as a denial.
    const denials = await db.auditEvent.count({
      where: { action: "access.denied", actorId: { in: [pat.id, wide.clientId] } },
    });
    expect(denials).toBeGreaterThanOrEqual(MUST_BE_SESSION_ONLY_OPERATIONS.length * 2);
  });

  it("every server action: step_up_required to a stale session exactly where declared", async () => {
    const { admin, ids, proposed } = await world();
    const values: Record<string, string> = {
      ...ids,
      name: "Walk",
      email: uniqueEmail("walk"),
      description: "",
      owner: proposed.email,
      scopes: "users.read",
      permissions: "users.read",
      roleIds: ids.roleId as string,
      overlapMinutes: "0",
      expiration: "7",
      code: "000000",
      currentPassword: admin.password,
      password: "a long new pass phrase for the walk",
      confirm: "a long new pass phrase for the walk",
    };
    for (const { name, action } of actions) {
      const { cookie, sessionId } = await signedInCookie(admin.id);
      await makeStale(sessionId);
      const [cookieName, cookieValue] = cookie.split("=", 2) as [string, string];
      const requestId = `walk-action-${requests++}`;
      const form = new FormData();
      for (const field of fieldsOf(action.schema))
        if (values[field] !== undefined) form.append(field, values[field]);
      const request: ActionRequest = {
        headers: new Headers({
          "x-keyward-peer": "203.0.113.50",
          "x-request-id": requestId,
          "user-agent": "walk",
        }),
        cookies: { get: (wanted) => (wanted === cookieName ? { value: cookieValue } : undefined) },
      };
      const { state } = await action.run(request, form);
      const code = state.status === "error" ? state.code : "ok";
      if (action.stepUp) {
        expect(code, name).toBe("step_up_required");
        refusedRequestIds.push(requestId);
      } else {
        expect(code, name).not.toBe("step_up_required");
        expect(code, name).not.toBe("internal");
      }
    }
  });

  afterAll(async () => {
    // A refused request wrote nothing: no success event carries its request id.
    const written = await db.auditEvent.findMany({
      where: { requestId: { in: refusedRequestIds }, outcome: "success" },
      select: { action: true, requestId: true },
    });
    expect(written).toEqual([]);
  });
});

import { generate } from "otplib";
import { describe, expect, it } from "vitest";

import { GET as listUsers } from "../../app/api/v1/users/route.ts";
import {
  clientAccessToken,
  developerWith,
  makeTestClient,
  mintTestToken,
  requestClientToken,
} from "../../test/credentials.ts";
import { makePrincipal, storedRolePermissions, TEST_CONTEXT } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { introspectAs, makeResourceServer } from "../../test/resource-servers.ts";
import { db } from "../db/client.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "../mfa/enroll-totp.ts";
import { resetUserMfa } from "../mfa/reset-user-mfa.ts";
import { updateRole } from "../roles/manage-role.ts";
import { updateSecuritySettings } from "../settings/update-settings.ts";
import { getSettings } from "../settings/settings.ts";
import { resolveSession } from "./sessions.ts";

const context = TEST_CONTEXT;
const api = (bearer: string) => call(listUsers, { method: "GET", path: "/api/v1/users", bearer });

/** Whether Keyward's own API's resource server is told the token is active. */
async function activeAt(token: string): Promise<unknown> {
  const server = await makeResourceServer();
  return (await introspectAs(server.authorization, token)).body.active;
}

async function ownerWithCredentials() {
  const owner = await developerWith(["users.read"]);
  const { token } = await mintTestToken(owner.principal, ["users.read"]);
  const client = await makeTestClient(owner.principal, ["users.read"]);
  const accessToken = await clientAccessToken(client.clientId, client.clientSecret);
  expect((await api(token)).status).toBe(200);
  expect((await api(accessToken)).status).toBe(200);
  return { ...owner, token, client, accessToken };
}

async function requireMfaOn(roleId: string) {
  const { principal: admin } = await makePrincipal(["admin"]);
  const role = await db.role.findUniqueOrThrow({ where: { id: roleId } });
  await updateRole({
    actor: admin,
    roleId,
    name: role.name,
    description: role.description,
    permissions: (await storedRolePermissions(roleId)).permissions,
    requiresMfa: true,
    context,
  });
}

function expectEnrollmentProblem(response: Awaited<ReturnType<typeof api>>) {
  expect(response.status).toBe(403);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  expect(String(response.body.detail)).toContain("second factor");
}

// Guarantee: required MFA cannot be sidestepped with a credential minted before it was required.
describe("required MFA binds bearer credentials", () => {
  it("a token and a client stop working when the owner's role comes to require MFA, and work again once they enroll TOTP", async () => {
    const { principal, token, client, accessToken, role } = await ownerWithCredentials();
    await requireMfaOn(role.id);

    expectEnrollmentProblem(await api(token));
    expectEnrollmentProblem(await api(accessToken));
    const refused = await requestClientToken(client.clientId, client.clientSecret);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "unauthorized_client" });
    expect(String(refused.body.error_description)).toContain("second factor");
    // Resource servers asking by introspection are told the same: not usable now.
    expect(await activeAt(token)).toBe(false);
    expect(await activeAt(accessToken)).toBe(false);

    const session = await resolveSession(principal.sessionId);
    if (!session?.mustEnrollMfa) throw new Error("the owner should have to enroll");
    const enrollment = await startTotpEnrollment({ actor: session, name: "Phone" });
    await confirmTotpEnrollment({
      actor: session,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret }),
      context,
    });

    expect((await api(token)).status).toBe(200);
    expect((await api(accessToken)).status).toBe(200);
    expect((await requestClientToken(client.clientId, client.clientSecret)).status).toBe(200);
    expect(await activeAt(token)).toBe(true);
    expect(await activeAt(accessToken)).toBe(true);
  });

  it("the global setting binds them too", async () => {
    const { token, client } = await ownerWithCredentials();
    const { principal: admin } = await makePrincipal(["admin"]);
    const current = await getSettings(db, { fresh: true });
    const setting = (mfaRequiredForAll: boolean) =>
      updateSecuritySettings({ ...current, mfaRequiredForAll, actor: admin, context });
    await setting(true);
    try {
      expectEnrollmentProblem(await api(token));
      expect((await requestClientToken(client.clientId, client.clientSecret)).body).toMatchObject({
        error: "unauthorized_client",
      });
    } finally {
      await setting(false);
    }
    expect((await api(token)).status).toBe(200);
  });

  it("an owner who already has a factor keeps using their credentials when MFA becomes required", async () => {
    const { principal, token, role } = await ownerWithCredentials();
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret }),
      context,
    });
    await requireMfaOn(role.id);
    expect((await api(token)).status).toBe(200);
  });

  it("an administrator's MFA reset stops them at once when MFA is required (the cached owner forgets the factor)", async () => {
    const { principal, token, accessToken, user, role } = await ownerWithCredentials();
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret }),
      context,
    });
    await requireMfaOn(role.id);
    expect((await api(token)).status).toBe(200);
    expect((await api(accessToken)).status).toBe(200);

    const { principal: admin } = await makePrincipal(["admin"]);
    await resetUserMfa({ actor: admin, userId: user.id, context });
    expectEnrollmentProblem(await api(token));
    expectEnrollmentProblem(await api(accessToken));
  });
});

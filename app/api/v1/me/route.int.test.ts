import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";

import { makeUser, signedInCookie } from "@/test/factories";
import { call } from "@/test/requests";
import { revokeSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db/client";

import { GET } from "./route";

// Guarantee: a protected API route answers 401 problem+json to anyone without a live session.
describe("GET /api/v1/me", () => {
  it("answers 401 problem+json without a session", async () => {
    const response = await call(GET);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toBe("urn:keyward:problem:unauthenticated");
  });

  it("describes the signed-in user with their effective permissions", async () => {
    const user = await makeUser({ roles: ["user_manager"] });
    const { cookie } = await signedInCookie(user.id);
    const response = await call(GET, { cookie });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: user.id,
      email: user.email,
      permissions: ["audit.read", "roles.read", "users.read", "users.write"],
    });
  });

  it("refuses a revoked session and a disabled user on the very next request", async () => {
    const user = await makeUser();
    const first = await signedInCookie(user.id);
    await db.$transaction((tx) => revokeSession(tx, first.sessionId, "test"));
    expect((await call(GET, { cookie: first.cookie })).status).toBe(401);

    const second = await signedInCookie(user.id);
    expect((await call(GET, { cookie: second.cookie })).status).toBe(200);
    await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
    expect((await call(GET, { cookie: second.cookie })).status).toBe(401);
  });

  it("refuses a token signed with another secret and a token naming no session", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    const forged = await encode({
      token: { sid: sessionId },
      secret: "another-secret-of-at-least-32-characters!",
    });
    expect((await call(GET, { cookie: `kw_session=${forged}` })).status).toBe(401);
    expect((await call(GET, { cookie: "kw_session=garbage" })).status).toBe(401);
  });

  // Guarantee: forced enrollment cannot be skipped through the API.
  it("answers 403 to a user whose role requires MFA until they enroll a factor", async () => {
    const user = await makeUser();
    const role = await db.role.create({
      data: {
        id: `rol_mfa${Date.now()}`,
        name: `Needs MFA ${Date.now()}`,
        requiresMfa: true,
      },
    });
    await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
    const { cookie } = await signedInCookie(user.id);
    const response = await call(GET, { cookie });
    expect(response.status).toBe(403);
    expect(String(response.body.detail)).toContain("second factor");
  });
});

import { describe, expect, it } from "vitest";

import { GET as me } from "@/app/api/v1/me/route";
import { sessionIdFromToken } from "@/lib/auth/session-cookie";
import { makeUser, signedInCookie } from "@/test/factories";
import { call } from "@/test/requests";

import { POST } from "./route";

// Guarantee: re-authentication gives the browser a new session id; the old cookie stops working.
describe("POST /api/auth/reauth", () => {
  it("sets a cookie with a new session id and retires the old one", async () => {
    const user = await makeUser();
    const { cookie, sessionId } = await signedInCookie(user.id);
    const response = await call(POST, { cookie, json: { password: user.password } });
    expect(response.status).toBe(200);
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^kw_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const value = /^kw_session=([^;]+)/.exec(setCookie)?.[1];
    const newId = await sessionIdFromToken(value);
    expect(newId).toBeTruthy();
    expect(newId).not.toBe(sessionId);
    expect((await call(me, { cookie })).status).toBe(401);
    expect((await call(me, { cookie: `kw_session=${value}` })).status).toBe(200);
  });

  it("keeps the session when the password is wrong", async () => {
    const user = await makeUser();
    const { cookie } = await signedInCookie(user.id);
    const response = await call(POST, { cookie, json: { password: "certainly not it" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect((await call(me, { cookie })).status).toBe(200);
  });
});

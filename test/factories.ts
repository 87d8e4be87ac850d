import { builtInGrantRows, GRANT_SELECT, splitGrants } from "../lib/apis/built-in-api.ts";
import { randomBytes } from "node:crypto";

import { encode } from "next-auth/jwt";

import type { RequestContext } from "../lib/auth/principal.ts";
import { createSession, resolveSession } from "../lib/auth/sessions.ts";
import { newId } from "../lib/crypto/ids.ts";
import { getConfig } from "../lib/config/env.ts";
import { db } from "../lib/db/client.ts";
import { AppError } from "../lib/errors/app-error.ts";
import type { BuiltInRoleKey } from "../lib/policy/built-in-roles.ts";
import type { Permission } from "../lib/policy/permissions.ts";
import { builtInRoleId, ensureBuiltInRoles } from "../lib/roles/ensure-built-in-roles.ts";
import { createUser } from "../lib/users/create-user.ts";

/** Factories make unique data, so tests need no reset and run in any order. */
export const TEST_CONTEXT: RequestContext = { ip: "203.0.113.7", userAgent: "vitest", requestId: "test" };

export const uniqueEmail = (label = "user") => `${label}-${randomBytes(6).toString("hex")}@example.test`;

/** A password that passes the policy (long, random, not in any list). */
export const strongPassword = () => `pass ${randomBytes(9).toString("base64url")} phrase`;

export async function makeUser(
  options: { roles?: BuiltInRoleKey[]; status?: "active" | "disabled" | "invited"; password?: string } = {},
) {
  await ensureBuiltInRoles(db);
  const email = uniqueEmail();
  const password = options.password ?? strongPassword();
  const roleIds = await Promise.all((options.roles ?? []).map((key) => builtInRoleId(db, key)));
  const { id } = await db.$transaction((tx) =>
    createUser(tx, {
      email,
      name: `Test ${email.slice(0, 10)}`,
      password: options.status === "invited" ? undefined : password,
      status: options.status ?? "active",
      roleIds,
      actor: { kind: "system", display: "test" },
      context: TEST_CONTEXT,
    }),
  );
  return { id, email, password };
}

/** A real session row and the same JWT cookie next-auth would set for it. */
export async function signedInCookie(userId: string): Promise<{ sessionId: string; cookie: string }> {
  const session = await db.$transaction((tx) =>
    createSession(tx, { userId, amr: ["pwd"], mfa: false, context: TEST_CONTEXT }),
  );
  const token = await encode({ token: { sub: userId, sid: session.id }, secret: getConfig().sessionSecret });
  return { sessionId: session.id, cookie: `kw_session=${token}` };
}

/** A real principal, resolved from a real session of a new user holding these built-in roles. */
export async function makePrincipal(roles: BuiltInRoleKey[] = [], extraRoleIds: string[] = []) {
  const user = await makeUser({ roles });
  for (const roleId of extraRoleIds) await db.roleAssignment.create({ data: { userId: user.id, roleId } });
  const { sessionId } = await signedInCookie(user.id);
  const principal = await resolveSession(sessionId);
  if (!principal) throw new Error("the new session did not resolve");
  return { user, principal };
}

/** A custom role with exactly these permissions. */
export async function makeRole(permissions: Permission[], name = `Role ${randomBytes(4).toString("hex")}`) {
  return db.role.create({
    data: { id: newId("rol"), name, grants: { create: builtInGrantRows(permissions) } },
  });
}

/** The Keyward permissions a role grants, as stored (sorted), and any it holds this version does not define. */
export async function storedRolePermissions(roleId: string) {
  const role = await db.role.findUniqueOrThrow({ where: { id: roleId }, include: { grants: GRANT_SELECT } });
  return splitGrants(role.grants);
}

/** A value the test needs to be there: fails the test (not the type checker) when it is not. */
export function present<T>(value: T | null | undefined, what = "value"): T {
  if (value === null || value === undefined) throw new Error(`expected a ${what}`);
  return value;
}

/** The AppError code a call ends with, or "ok": for tables of allowed and refused calls. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "ok";
}

import { describe, expect, it } from "vitest";

import type { UserPrincipal } from "../auth/principal.ts";
import { AppError } from "../errors/app-error.ts";
import { authorize, can, missingPermissions } from "./authorize.ts";
import { BUILT_IN_ROLE_KEYS, BUILT_IN_ROLES } from "./built-in-roles.ts";
import { PERMISSION_DESCRIPTIONS, PERMISSIONS, type Permission } from "./permissions.ts";
import { landingPath, navigationFor } from "./navigation.ts";

const principal = (permissions: readonly Permission[]): UserPrincipal => ({
  kind: "user",
  userId: "usr_test",
  email: "t@example.test",
  name: "T",
  sessionId: "ses_test",
  permissions: new Set(permissions),
  authTime: new Date(),
  mfaTime: null,
  amr: ["pwd"],
  mustEnrollMfa: false,
});

// Guarantee: default deny: each built-in role is allowed exactly the permissions it holds.
describe("authorize, for every built-in role and every permission", () => {
  for (const key of BUILT_IN_ROLE_KEYS) {
    const role = BUILT_IN_ROLES[key];
    for (const permission of PERMISSIONS) {
      const allowed = (role.permissions as readonly Permission[]).includes(permission);
      it(`${role.name} ${allowed ? "may" : "may not"} ${permission}`, () => {
        const p = principal(role.permissions);
        expect(can(p, permission)).toBe(allowed);
        if (allowed) expect(() => authorize(p, permission)).not.toThrow();
        else expect(() => authorize(p, permission)).toThrow(AppError);
      });
    }
  }
});

describe("the built-in roles", () => {
  it("give the Administrator everything, the Auditor every read, the Member nothing", () => {
    expect([...BUILT_IN_ROLES.admin.permissions].sort()).toEqual([...PERMISSIONS].sort());
    expect(BUILT_IN_ROLES.auditor.permissions).toEqual(PERMISSIONS.filter((p) => p.endsWith(".read")));
    expect(BUILT_IN_ROLES.auditor.permissions).toContain("audit.read");
    expect(BUILT_IN_ROLES.member.permissions).toEqual([]);
  });

  it("describe every permission", () => {
    for (const permission of PERMISSIONS)
      expect(PERMISSION_DESCRIPTIONS[permission].length).toBeGreaterThan(10);
  });
});

describe("nobody grants what they do not hold", () => {
  it("lists the permissions an actor lacks", () => {
    expect(missingPermissions(principal(["users.write"]), ["users.write", "settings.write"])).toEqual([
      "settings.write",
    ]);
  });
});

describe("navigation", () => {
  const labels = (nav: ReturnType<typeof navigationFor>) =>
    nav.groups.map((g) => [g.label, g.items.map((i) => i.label)]);

  it("shows a Member only the API reference and their account", () => {
    const nav = navigationFor(principal([]));
    expect(labels(nav)).toEqual([[null, ["API reference"]]]);
    expect(nav.account.map((a) => a.label)).toEqual(["My account", "Security", "Connected apps"]);
  });

  it("shows a user who must enroll a factor only the Security page", () => {
    const nav = navigationFor({ ...principal(["users.read"]), mustEnrollMfa: true });
    expect(nav.groups).toEqual([]);
    expect(nav.account.map((a) => a.label)).toEqual(["Security"]);
    expect(landingPath({ ...principal([]), mustEnrollMfa: true })).toBe("/account/security?required=1");
  });

  it("groups an Auditor's read areas", () => {
    expect(labels(navigationFor(principal(BUILT_IN_ROLES.auditor.permissions)))).toEqual([
      [null, ["Overview"]],
      ["Identity", ["Users", "Roles"]],
      ["Access", ["API clients", "Tokens", "APIs", "Applications"]],
      [null, ["Audit log", "API reference"]],
    ]);
  });

  it("lands administrators on the Overview, everyone else on their account", () => {
    expect(landingPath(principal(BUILT_IN_ROLES.admin.permissions))).toBe("/overview");
    expect(landingPath(principal(["audit.read"]))).toBe("/overview");
    expect(landingPath(principal(["tokens.create"]))).toBe("/account");
    expect(landingPath(principal([]))).toBe("/account");
  });
});

import { PERMISSIONS, type Permission } from "./permissions.ts";

export const BUILT_IN_ROLE_KEYS = ["admin", "user_manager", "developer", "auditor", "member"] as const;
export type BuiltInRoleKey = (typeof BUILT_IN_ROLE_KEYS)[number];

type BuiltInRole = { name: string; description: string; permissions: readonly Permission[] };

/** Built-in roles cannot be deleted and their permissions are fixed here, not in the database. */
export const BUILT_IN_ROLES = {
  admin: {
    name: "Administrator",
    description: "Every permission.",
    permissions: PERMISSIONS,
  },
  user_manager: {
    name: "User manager",
    description: "Manages users and their roles; reads the audit log.",
    permissions: ["users.read", "users.write", "roles.read", "audit.read"],
  },
  developer: {
    name: "Developer",
    description: "Sees the registered APIs, mints personal API tokens and registers API clients.",
    permissions: ["tokens.create", "clients.read", "clients.write", "apis.read"],
  },
  auditor: {
    name: "Auditor",
    description: "Reads everything, changes nothing.",
    permissions: PERMISSIONS.filter((p) => p.endsWith(".read")),
  },
  member: {
    name: "Member",
    description: "Self-service only: own profile, password, MFA factors and sessions.",
    permissions: [],
  },
} as const satisfies Record<BuiltInRoleKey, BuiltInRole>;

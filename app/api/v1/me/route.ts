import { json, route } from "@/lib/http/route";

/** The caller as Keyward sees it: identity and effective permissions. */
export const GET = route({ permission: "authenticated" }, async ({ principal }) =>
  json({
    kind: principal.kind,
    id: principal.userId,
    email: principal.email,
    name: principal.name,
    permissions: [...principal.permissions].sort(),
    authTime: principal.authTime.toISOString(),
  }),
);

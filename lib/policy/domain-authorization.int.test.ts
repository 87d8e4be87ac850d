import { describe, expect, it } from "vitest";

import { makePrincipal, makeRole, makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { listRoles, getRole } from "../roles/list-roles.ts";
import { createRole, deleteRole, updateRole } from "../roles/manage-role.ts";
import { holdersOfPermission } from "../roles/permission-matrix.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { getUser } from "../users/get-user.ts";
import { inviteUser, resendInvitation, revokeInvitation } from "../users/invitations.ts";
import { listUsersSchema } from "../users/user-schemas.ts";
import { listUsers } from "../users/list-users.ts";
import { deleteUser, disableUser, enableUser, updateUser } from "../users/manage-user.ts";
import { assignRole, removeRole } from "../users/role-assignments.ts";
import { BUILT_IN_ROLE_KEYS, BUILT_IN_ROLES } from "./built-in-roles.ts";
import type { Permission } from "./permissions.ts";

const context = TEST_CONTEXT;
const fields = { description: "", permissions: [] as Permission[], requiresMfa: false };

/** Every domain action, the permissions it needs, and a run on fresh targets the actor may manage. */
const ACTIONS: { name: string; needs: Permission[]; run: (actor: UserPrincipal) => Promise<unknown> }[] = [
  { name: "list users", needs: ["users.read"], run: (actor) => listUsers(actor, listUsersSchema.parse({})) },
  { name: "view a user", needs: ["users.read"], run: async (actor) => getUser(actor, (await makeUser()).id) },
  {
    name: "invite a user",
    needs: ["users.write"],
    run: (actor) =>
      inviteUser({ actor, email: `i-${Math.random()}@example.test`, name: "I", roleIds: [], context }),
  },
  {
    name: "edit a user",
    needs: ["users.write"],
    run: async (actor) =>
      updateUser({
        actor,
        userId: (await makeUser()).id,
        name: "Renamed",
        email: `r-${Math.random()}@example.test`,
        context,
      }),
  },
  {
    name: "disable a user",
    needs: ["users.write"],
    run: async (actor) => disableUser({ actor, userId: (await makeUser()).id, context }),
  },
  {
    name: "enable a user",
    needs: ["users.write"],
    run: async (actor) => enableUser({ actor, userId: (await makeUser({ status: "disabled" })).id, context }),
  },
  {
    name: "delete a user",
    needs: ["users.write"],
    run: async (actor) => deleteUser({ actor, userId: (await makeUser()).id, context }),
  },
  {
    name: "assign a role",
    needs: ["users.write"],
    run: async (actor) =>
      assignRole({
        actor,
        userId: (await makeUser()).id,
        roleId: await builtInRoleId(db, "member"),
        context,
      }),
  },
  {
    name: "remove a role",
    needs: ["users.write"],
    run: async (actor) =>
      removeRole({
        actor,
        userId: (await makeUser({ roles: ["member"] })).id,
        roleId: await builtInRoleId(db, "member"),
        context,
      }),
  },
  {
    name: "resend an invitation",
    needs: ["users.write"],
    run: async (actor) =>
      resendInvitation({ actor, userId: (await makeUser({ status: "invited" })).id, context }),
  },
  {
    name: "revoke an invitation",
    needs: ["users.write"],
    run: async (actor) => {
      const admin = (await makePrincipal(["admin"])).principal;
      const { userId } = await inviteUser({
        actor: admin,
        email: `v-${Math.random()}@example.test`,
        name: "V",
        roleIds: [],
        context,
      });
      return revokeInvitation({ actor, userId, context });
    },
  },
  { name: "list roles", needs: ["roles.read"], run: (actor) => listRoles(actor) },
  {
    name: "view a role",
    needs: ["roles.read"],
    run: async (actor) => getRole(actor, (await makeRole([])).id),
  },
  {
    name: "create a role",
    needs: ["roles.write"],
    run: (actor) => createRole({ actor, name: `New ${Math.random()}`, ...fields, context }),
  },
  {
    name: "edit a role",
    needs: ["roles.write"],
    run: async (actor) =>
      updateRole({
        actor,
        roleId: (await makeRole([])).id,
        name: `Edited ${Math.random()}`,
        ...fields,
        context,
      }),
  },
  {
    name: "delete a role",
    needs: ["roles.write"],
    run: async (actor) =>
      deleteRole({ actor, roleId: (await makeRole([])).id, removeFromHolders: false, context }),
  },
  {
    name: "see who holds a permission",
    needs: ["roles.read", "users.read"],
    run: (actor) => holdersOfPermission(actor, "audit.read"),
  },
];

// Guarantee: default deny. Every domain action × every built-in role: allowed exactly when the role holds the permission.
describe("domain actions by built-in role", () => {
  for (const key of BUILT_IN_ROLE_KEYS) {
    const held = BUILT_IN_ROLES[key].permissions as readonly Permission[];
    for (const action of ACTIONS) {
      const allowed = action.needs.every((p) => held.includes(p));
      it(`${BUILT_IN_ROLES[key].name} ${allowed ? "may" : "may not"} ${action.name}`, async () => {
        const { principal } = await makePrincipal([key]);
        const outcome = await action.run(principal).then(
          () => "allowed",
          (error: unknown) => (error instanceof AppError && error.code === "forbidden" ? "forbidden" : error),
        );
        expect(outcome).toBe(allowed ? "allowed" : "forbidden");
      });
    }
  }
});

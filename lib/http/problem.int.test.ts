import { describe, expect, it } from "vitest";

import { makeRole } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { toAppError } from "./problem.ts";

// A write racing a removal (a grant of a permission deleted meanwhile) is a 409 the person can act
// on, never a 500: the transaction rolled back whole.
describe("a write that lost a race", () => {
  it("a foreign key to a row removed meanwhile is a conflict", async () => {
    const role = await makeRole([]);
    const error = await db.rolePermission
      .create({ data: { roleId: role.id, permissionId: "perm_removed_meanwhile" } })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeDefined();
    const appError = toAppError(error, "req_test");
    expect(appError.code).toBe("conflict");
    expect(appError.message).not.toContain("perm_removed_meanwhile");
    expect(await db.rolePermission.count({ where: { roleId: role.id } })).toBe(0);
  });

  it("anything else stays a generic 500 with the request id only", () => {
    const appError = toAppError(new Error("secret detail"), "req_test");
    expect(appError.code).toBe("internal");
    expect(appError.message).not.toContain("secret detail");
  });
});

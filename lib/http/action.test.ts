import { describe, expect, it } from "vitest";

import { createRoleSchema } from "../roles/role-schemas.ts";
import { formToObject } from "./action.ts";

describe("server action form parsing", () => {
  it("reads repeated fields as arrays and checkboxes as booleans, and drops Next's own fields", () => {
    const form = new FormData();
    form.append("$ACTION_ID_abc", "");
    form.append("name", "Support");
    form.append("permissions", "users.read");
    form.append("permissions", "audit.read");
    form.append("requiresMfa", "on");
    const parsed = formToObject(form, { arrays: ["permissions"], booleans: ["requiresMfa", "other"] });
    expect(parsed).toEqual({
      name: "Support",
      permissions: ["users.read", "audit.read"],
      requiresMfa: true,
      other: false,
    });
    expect(createRoleSchema.parse(parsed).permissions).toEqual(["audit.read", "users.read"]);
  });

  it("gives empty arrays for unticked groups, so the schema sees every field", () => {
    expect(formToObject(new FormData(), { arrays: ["permissions"] })).toEqual({ permissions: [] });
  });

  it("a field named __proto__ is an own field like any other, never the object's prototype", () => {
    const form = new FormData();
    form.append("__proto__", "a");
    form.append("__proto__", "b");
    const parsed = formToObject(form, { arrays: ["__proto__"] });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
    expect(Object.keys(parsed)).toEqual(["__proto__"]);
  });
});

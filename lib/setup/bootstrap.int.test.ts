import { afterEach, describe, expect, it } from "vitest";

import { strongPassword, uniqueEmail } from "../../test/factories.ts";
import { resetConfigForTests } from "../config/env.ts";
import { db } from "../db/client.ts";
import { BUILT_IN_ROLE_KEYS } from "../policy/built-in-roles.ts";
import { bootstrap } from "./bootstrap.ts";
import { isSetupOpen } from "./setup-state.ts";

afterEach(() => {
  delete process.env.KEYWARD_ADMIN_EMAIL;
  delete process.env.KEYWARD_ADMIN_PASSWORD;
  resetConfigForTests();
});

describe("first start", () => {
  it("refuses an unusable admin password from the environment with one line naming the variable", async () => {
    process.env.KEYWARD_ADMIN_EMAIL = uniqueEmail();
    process.env.KEYWARD_ADMIN_PASSWORD = "qwerty123456";
    resetConfigForTests();
    await expect(bootstrap()).rejects.toThrow(/^KEYWARD_ADMIN_PASSWORD: .*leaked/);
    expect(await isSetupOpen(db)).toBe(true);
  });

  it("creates the administrator from the environment, and setup is then closed", async () => {
    const email = uniqueEmail("env-admin");
    process.env.KEYWARD_ADMIN_EMAIL = email;
    process.env.KEYWARD_ADMIN_PASSWORD = strongPassword();
    resetConfigForTests();
    expect(await bootstrap()).toEqual({ state: "admin_created", email });
    expect(await db.role.count({ where: { builtInKey: { in: [...BUILT_IN_ROLE_KEYS] } } })).toBe(
      BUILT_IN_ROLE_KEYS.length,
    );
    expect(await isSetupOpen(db)).toBe(false);
    // A restart changes nothing.
    expect(await bootstrap()).toEqual({ state: "ready" });
    expect(await db.user.count()).toBe(1);
  });
});

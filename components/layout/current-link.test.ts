import { describe, expect, it } from "vitest";

import { currentHref } from "./current-link";

const HREFS = ["/users", "/roles", "/account", "/account/security"];

describe("the current link", () => {
  it("is the longest link the path starts with, at a segment boundary", () => {
    expect(currentHref("/account/security", HREFS)).toBe("/account/security");
    expect(currentHref("/account", HREFS)).toBe("/account");
    expect(currentHref("/users/usr_1", HREFS)).toBe("/users");
  });

  it("is none for a path that only shares letters with a link", () => {
    expect(currentHref("/usersettings", HREFS)).toBeUndefined();
    expect(currentHref("/", HREFS)).toBeUndefined();
  });
});

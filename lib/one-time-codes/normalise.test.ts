import { describe, expect, it } from "vitest";

import { normaliseCode } from "./one-time-codes.ts";

describe("typed one-time codes", () => {
  it("ignore case, spaces and dashes, and read O as 0 and I/L as 1", () => {
    expect(normaliseCode("abcd-efgh-jk01")).toBe("ABCDEFGHJK01");
    expect(normaliseCode(" ABCD EFGH JKO1 ")).toBe("ABCDEFGHJK01");
    expect(normaliseCode("ilO0")).toBe("1100");
  });
});

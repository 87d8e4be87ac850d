import { describe, expect, it } from "vitest";

import { likeLiteral } from "./like.ts";

describe("likeLiteral", () => {
  it("escapes the LIKE wildcards and the escape character, and nothing else", () => {
    expect(likeLiteral("ada")).toBe("ada");
    expect(likeLiteral("50%_off")).toBe("50\\%\\_off");
    expect(likeLiteral("a\\b")).toBe("a\\\\b");
    expect(likeLiteral("\\%")).toBe("\\\\\\%");
    expect(likeLiteral("o'brien [x] *")).toBe("o'brien [x] *");
  });
});

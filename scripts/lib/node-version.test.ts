import { describe, expect, it } from "vitest";

import { unsupportedNodeMessage } from "./node-version.ts";

describe("unsupportedNodeMessage", () => {
  it("accepts Node 24 LTS, 22.18+ and newer releases", () => {
    for (const version of ["24.22.3", "24.0.0", "26.1.0", "22.18.0", "22.23.5"])
      expect(unsupportedNodeMessage(version)).toBeNull();
  });
  it("refuses end-of-life and too-old releases with what to install", () => {
    for (const version of ["20.20.2", "22.11.0", "22.17.1", "18.20.8", "21.7.3"])
      expect(unsupportedNodeMessage(version)).toMatch(/install Node\.js 24 LTS/);
  });
});

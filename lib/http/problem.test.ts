import { describe, expect, it, vi } from "vitest";
import { z } from "zod";

import { AppError, NotFound, RateLimited } from "../errors/app-error.ts";
import { safeCallbackUrl } from "./callback-url.ts";
import { problemResponse, toAppError } from "./problem.ts";

// Guarantee: errors reach clients as RFC 9457 problems and never leak internals.
describe("problem+json", () => {
  it("maps a typed error to its status, a stable type and the message", async () => {
    const response = problemResponse(NotFound("user"), "req-1");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toEqual({
      type: "urn:keyward:problem:not_found",
      title: "Not found",
      status: 404,
      detail: "The user was not found.",
      instance: "urn:request:req-1",
    });
  });

  it("adds Retry-After to 429", () => {
    expect(problemResponse(RateLimited(42), "r").headers.get("retry-after")).toBe("42");
  });

  it("turns a zod failure into 400 with field paths", async () => {
    const parsed = z.object({ email: z.string() }).safeParse({ email: 1 });
    const error = toAppError(parsed.error, "r");
    expect(error.code).toBe("invalid");
    expect(error.extra.fields?.[0]?.path).toBe("email");
  });

  it("hides unknown errors behind a generic 500 with the request id", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const error = toAppError(new Error("connection string postgres://secret@db"), "req-9");
    spy.mockRestore();
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("internal");
    expect(error.message).not.toContain("secret");
    expect(error.message).toContain("req-9");
  });
});

describe("sign-in return path", () => {
  it("allows only same-site paths (no open redirect)", () => {
    expect(safeCallbackUrl("/users?page=2")).toBe("/users?page=2");
    for (const evil of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "",
      null,
    ]) {
      expect(safeCallbackUrl(evil)).toBe("/");
    }
  });
});

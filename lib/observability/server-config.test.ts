import { describe, expect, it } from "vitest";

import { bearerMatches } from "./metrics-endpoint.ts";
import { metrics, metricsText } from "./metrics.ts";
import { notePrincipal, takePrincipal } from "./request-principal.ts";
import { isLoopback, readServerObservability } from "./server-config.ts";

const TOKEN = "m".repeat(40);

// Guarantee: metrics are never readable without either loopback or the token, and the token is
// compared whole; a malformed setting stops the start instead of weakening it.
describe("who may read metrics", () => {
  it("takes only the exact bearer token", () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer  ${TOKEN} `, TOKEN)).toBe(true);
    for (const header of [
      undefined,
      "",
      "Bearer",
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
    ])
      expect(bearerMatches(header, TOKEN), String(header)).toBe(false);
  });

  it("refuses a metrics port off loopback without a token, and short tokens", () => {
    expect(() =>
      readServerObservability({ KEYWARD_METRICS_PORT: "9464", KEYWARD_METRICS_HOST: "0.0.0.0" }),
    ).toThrow(/KEYWARD_METRICS_TOKEN/);
    expect(() => readServerObservability({ KEYWARD_METRICS_TOKEN: "short" })).toThrow(
      /KEYWARD_METRICS_TOKEN/,
    );
    expect(() => readServerObservability({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() => readServerObservability({ KEYWARD_SHUTDOWN_TIMEOUT_MS: "-1" })).toThrow(
      /KEYWARD_SHUTDOWN_TIMEOUT_MS/,
    );
    const settled = readServerObservability({
      KEYWARD_METRICS_PORT: "9464",
      KEYWARD_METRICS_HOST: "0.0.0.0",
      KEYWARD_METRICS_TOKEN: TOKEN,
    });
    expect(settled.metrics).toEqual({ port: 9464, host: "0.0.0.0", token: TOKEN });
  });

  it("defaults: no metrics port, loopback, info, no drain, a 10-second bound", () => {
    expect(readServerObservability({})).toEqual({
      logLevel: "info",
      metrics: { port: undefined, host: "127.0.0.1", token: undefined },
      shutdown: { drainMs: 0, timeoutMs: 10_000 },
    });
  });

  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
      expect(isLoopback(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "127.0.0.1.evil.test", "128.0.0.1"])
      expect(isLoopback(host)).toBe(false);
  });
});

describe("the per-process registry", () => {
  it("is one registry, whoever asks, and counts what the lib code reports", async () => {
    expect(metrics()).toBe(metrics());
    metrics().limiterRejections.inc({ limiter: "unit_test" });
    expect((await metricsText()).body).toMatch(/keyward_limiter_rejections_total\{limiter="unit_test"\} 1/);
  });
});

describe("the principal handed to the access log", () => {
  it("is read once, and the map stays bounded", () => {
    notePrincipal("req-1", { kind: "token", id: "tok_1" });
    expect(takePrincipal("req-1")).toEqual({ kind: "token", id: "tok_1" });
    expect(takePrincipal("req-1")).toBeUndefined();
    for (let i = 0; i < 10_050; i++) notePrincipal(`flood-${i}`, { kind: "user", id: "usr_1" });
    expect(takePrincipal("flood-0")).toBeUndefined();
    expect(takePrincipal("flood-10049")).toEqual({ kind: "user", id: "usr_1" });
  });
});

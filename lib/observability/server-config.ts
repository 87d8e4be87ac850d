import { isIP } from "node:net";

import { z } from "zod";

import { ConfigError } from "../config/config-error.ts";

/**
 * What scripts/server.js reads for logs, metrics and shutdown (docs/observability.md). Read once at
 * start; a malformed value stops the start with the variable's name, like lib/config/env.ts.
 */
export type ServerObservability = {
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  metrics: {
    /** A port of its own, or none. */
    port: number | undefined;
    host: string;
    /** The bearer token /metrics asks for (on the main port always, on the metrics port off loopback). */
    token: string | undefined;
  };
  shutdown: { drainMs: number; timeoutMs: number };
};

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);

const schema = z.object({
  LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
  KEYWARD_METRICS_PORT: optional(z.coerce.number().int().min(1).max(65535).optional()),
  KEYWARD_METRICS_HOST: optional(z.string().default("127.0.0.1")),
  // A bearer secret for a scraper: long enough that it cannot be guessed.
  KEYWARD_METRICS_TOKEN: optional(z.string().min(32, "must be at least 32 characters").optional()),
  KEYWARD_SHUTDOWN_DRAIN_MS: optional(z.coerce.number().int().min(0).max(600_000).default(0)),
  KEYWARD_SHUTDOWN_TIMEOUT_MS: optional(z.coerce.number().int().min(0).max(600_000).default(10_000)),
});

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

export function readServerObservability(env: Record<string, string | undefined>): ServerObservability {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? "configuration")}: ${issue?.message ?? "invalid"}`);
  }
  const values = parsed.data;
  // Off loopback, anyone on that network could read the figures: then the token is required there.
  if (
    values.KEYWARD_METRICS_PORT &&
    !isLoopback(values.KEYWARD_METRICS_HOST) &&
    !values.KEYWARD_METRICS_TOKEN
  )
    throw new ConfigError(
      "KEYWARD_METRICS_HOST: a metrics port off loopback needs KEYWARD_METRICS_TOKEN (scrapers send it as a bearer token)",
    );
  return {
    logLevel: values.LOG_LEVEL,
    metrics: {
      port: values.KEYWARD_METRICS_PORT,
      host: values.KEYWARD_METRICS_HOST,
      token: values.KEYWARD_METRICS_TOKEN,
    },
    shutdown: { drainMs: values.KEYWARD_SHUTDOWN_DRAIN_MS, timeoutMs: values.KEYWARD_SHUTDOWN_TIMEOUT_MS },
  };
}

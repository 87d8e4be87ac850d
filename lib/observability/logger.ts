import pino from "pino";

import { safeErrorText } from "../jobs/log.ts";

/**
 * scripts/server.js's logger: one JSON object per line on stdout (level as its name, time in ISO
 * 8601, pid, hostname, msg). What it is given is already redacted (lib/observability/loggable-url.ts,
 * safeErrorText); the censor below is a second line for fields that must never be written, should
 * a caller pass a whole header set or body by mistake.
 */
export type Logger = pino.Logger;

export function createLogger(level: pino.LevelWithSilent): Logger {
  return pino({
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        "authorization",
        "cookie",
        "password",
        "secret",
        "token",
        "*.authorization",
        "*.cookie",
        "*.password",
        "*.secret",
        "*.token",
        'headers["set-cookie"]',
        'headers["dpop"]',
      ],
      censor: "[redacted]",
    },
  });
}

/** An error as a log field: its name and message, with any URL's credentials removed; no stack. */
export function errorField(error: unknown): string {
  return safeErrorText(error);
}

import path from "node:path";

import { z } from "zod";

import { ConfigError } from "./config-error.ts";
import { loadSecrets, type Env } from "./secrets.ts";

export { ConfigError };

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  KEYWARD_URL: z.url().optional(),
  KEYWARD_DATA_DIR: z.string().min(1).default(".data"),
  KEYWARD_ENV: z.enum(["development", "production", "test"]).default("development"),
  KEYWARD_ADMIN_EMAIL: z.string().optional(),
  KEYWARD_ADMIN_PASSWORD: z.string().optional(),
  REDIS_URL: z.string().optional(),
  /** Set by the launcher when DATABASE_URL points at its embedded PGlite server. */
  KEYWARD_EMBEDDED_DB: z.enum(["0", "1"]).default("0"),
  KEYWARD_DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** How long a request waits for a database connection (a new one, or a free one of the pool)
   * before it is answered 503: a database that is down or saturated must not hang requests. */
  KEYWARD_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  /** The `aud` of access tokens requested without a `resource` (RFC 8707); default: this API. */
  /** Requests per minute each API token or client may make. */
  KEYWARD_API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** Outgoing mail (password-reset links): smtp:// or smtps://user:password@host:port. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  KEYWARD_MAIL_FROM: z.string().optional(),
});

export type Config = {
  databaseUrl: string | undefined;
  embeddedDatabase: boolean;
  databasePoolMax: number;
  databaseConnectTimeoutMs: number;
  port: number;
  /** Public origin: next-auth, WebAuthn RP and token issuer. */
  publicUrl: URL;
  dataDir: string;
  production: boolean;
  sessionSecret: string;
  /** Current AES-256-GCM key for secrets at rest, then older keys kept for decryption. */
  encryptionKeys: Buffer[];
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  redisUrl: string | undefined;
  /** `iss` of our access tokens and the RFC 8414 issuer: the public URL without a trailing slash. */
  issuer: string;
  /** The audience Keyward's own API accepts in client access tokens. */
  apiAudience: string;
  apiRateLimitPerMinute: number;
  /** Outgoing mail, when configured. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** True when a secret was generated into the data folder by this load. */
  generatedSecrets: string[];
};

let cached: Config | undefined;

export function getConfig(): Config {
  cached ??= readConfig(process.env);
  return cached;
}

/** Tests that change the environment call this between cases. */
export function resetConfigForTests(): void {
  cached = undefined;
}

export function readConfig(env: Env): Config {
  // Removed settings fail loudly: silently ignoring one would change what tokens say.
  if (env.KEYWARD_DEFAULT_AUDIENCE) {
    throw new ConfigError(
      "KEYWARD_DEFAULT_AUDIENCE was removed: register the API instead (a token's audience is always a registered API; without a resource parameter a client gets its only API). Unset it to start.",
    );
  }
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue?.path[0] ?? "environment")}: ${issue?.message ?? "invalid"}`);
  }
  const e = parsed.data;
  const production = e.KEYWARD_ENV === "production";
  const publicUrl = new URL(e.KEYWARD_URL ?? `http://localhost:${e.PORT}`);
  const dataDir = path.resolve(e.KEYWARD_DATA_DIR);
  const issuer = publicUrl.href.replace(/\/+$/, "");
  const apiAudience = `${issuer}/api/v1`;
  const secrets = loadSecrets({ env, dataDir, production });
  return {
    databaseUrl: e.DATABASE_URL,
    embeddedDatabase: e.KEYWARD_EMBEDDED_DB === "1",
    databasePoolMax: e.KEYWARD_DB_POOL_MAX,
    databaseConnectTimeoutMs: e.KEYWARD_DB_CONNECT_TIMEOUT_MS,
    port: e.PORT,
    publicUrl,
    dataDir,
    production,
    sessionSecret: secrets.sessionSecret,
    encryptionKeys: secrets.encryptionKeys,
    adminEmail: e.KEYWARD_ADMIN_EMAIL || undefined,
    adminPassword: e.KEYWARD_ADMIN_PASSWORD || undefined,
    redisUrl: e.REDIS_URL || undefined,
    issuer,
    apiAudience,
    apiRateLimitPerMinute: e.KEYWARD_API_RATE_LIMIT,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.KEYWARD_MAIL_FROM || `Keyward <keyward@${publicUrl.hostname}>`,
    generatedSecrets: secrets.generated,
  };
}

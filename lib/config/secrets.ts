import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { ConfigError } from "./config-error.ts";

export type Env = Readonly<Record<string, string | undefined>>;
type LoadSecretsInput = { env: Env; dataDir: string; production: boolean };
type Secrets = { sessionSecret: string; encryptionKeys: Buffer[]; generated: string[] };
export type SecretsFile = {
  KEYWARD_SECRET?: string;
  KEYWARD_ENCRYPTION_KEY?: string;
  /** Only while `npm run admin -- rotate-encryption-key` runs: the keys being replaced. */
  KEYWARD_ENCRYPTION_KEYS_PREVIOUS?: string;
};

export const SECRETS_FILE = "secrets.json";

/**
 * Secrets come from the environment. In development they may be generated once into the data folder
 * (mode 0600) so that `npm start` needs no configuration; in production a missing one stops start-up.
 */
export function loadSecrets({ env, dataDir, production }: LoadSecretsInput): Secrets {
  const file = path.join(dataDir, SECRETS_FILE);
  const stored = readSecretsFile(file);
  const generated: string[] = [];

  const take = (name: keyof SecretsFile, make: () => string): string => {
    const fromEnv = env[name];
    if (fromEnv) return fromEnv;
    if (production) throw new ConfigError(`${name} is required when KEYWARD_ENV=production`);
    const existing = stored[name];
    if (existing) return existing;
    const value = make();
    stored[name] = value;
    generated.push(name);
    return value;
  };

  const sessionSecret = take("KEYWARD_SECRET", () => randomBytes(32).toString("base64url"));
  const currentKey = take("KEYWARD_ENCRYPTION_KEY", () => randomBytes(32).toString("base64"));
  if (generated.length > 0) writeSecretsFile(file, stored);

  if (sessionSecret.length < 32) throw new ConfigError("KEYWARD_SECRET must be at least 32 characters");
  const previous = (env.KEYWARD_ENCRYPTION_KEYS_PREVIOUS ?? stored.KEYWARD_ENCRYPTION_KEYS_PREVIOUS ?? "")
    .split(",")
    .filter(Boolean);
  const encryptionKeys = [currentKey, ...previous].map((k, i) =>
    parseKey(k, i === 0 ? "KEYWARD_ENCRYPTION_KEY" : "KEYWARD_ENCRYPTION_KEYS_PREVIOUS"),
  );
  return { sessionSecret, encryptionKeys, generated };
}

function parseKey(value: string, name: string): Buffer {
  const key = Buffer.from(value.trim(), "base64");
  if (key.length !== 32) throw new ConfigError(`${name} must be 32 bytes, base64-encoded`);
  return key;
}

export function readSecretsFile(file: string): SecretsFile {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`${file} is unreadable: ${(error as Error).message}`);
  }
}

export function writeSecretsFile(file: string, secrets: SecretsFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}

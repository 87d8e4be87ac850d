import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { ConfigError } from "./config-error.ts";
import { readConfig } from "./env.ts";
import { loadSecrets } from "./secrets.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-secrets-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

// Guarantee: zero configuration in development, no silent defaults in production.
describe("secrets", () => {
  it("generates missing secrets once into a 0600 file and reuses them", () => {
    const dataDir = tempDir();
    const first = loadSecrets({ env: {}, dataDir, production: false });
    expect(first.generated).toEqual(["KEYWARD_SECRET", "KEYWARD_ENCRYPTION_KEY"]);
    const file = path.join(dataDir, "secrets.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadSecrets({ env: {}, dataDir, production: false });
    expect(second.generated).toEqual([]);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.encryptionKeys[0]?.equals(first.encryptionKeys[0] ?? Buffer.alloc(0))).toBe(true);
  });

  it("prefers the environment and writes nothing then", () => {
    const dataDir = tempDir();
    const key = Buffer.alloc(32, 7).toString("base64");
    const secrets = loadSecrets({
      env: { KEYWARD_SECRET: "s".repeat(40), KEYWARD_ENCRYPTION_KEY: key },
      dataDir,
      production: true,
    });
    expect(secrets.sessionSecret).toBe("s".repeat(40));
    expect(fs.existsSync(path.join(dataDir, "secrets.json"))).toBe(false);
  });

  it("stops production start-up with one line naming the missing variable", () => {
    const dataDir = tempDir();
    expect(() => loadSecrets({ env: {}, dataDir, production: true })).toThrow(
      new ConfigError("KEYWARD_SECRET is required when KEYWARD_ENV=production"),
    );
    expect(() => loadSecrets({ env: { KEYWARD_SECRET: "s".repeat(40) }, dataDir, production: true })).toThrow(
      /^KEYWARD_ENCRYPTION_KEY is required/,
    );
  });

  it("refuses an encryption key that is not 32 bytes", () => {
    expect(() =>
      loadSecrets({
        env: { KEYWARD_SECRET: "s".repeat(40), KEYWARD_ENCRYPTION_KEY: "c2hvcnQ=" },
        dataDir: tempDir(),
        production: false,
      }),
    ).toThrow(/KEYWARD_ENCRYPTION_KEY must be 32 bytes/);
  });
});

describe("configuration", () => {
  it("derives the public URL from PORT and names a bad variable", () => {
    const env = { KEYWARD_DATA_DIR: tempDir(), PORT: "4100" };
    expect(readConfig(env).publicUrl.href).toBe("http://localhost:4100/");
    expect(() => readConfig({ ...env, DATABASE_URL: "mysql://x" })).toThrow(/^DATABASE_URL/);
    expect(() => readConfig({ ...env, PORT: "http" })).toThrow(/^PORT/);
  });

  it("refuses to start with the removed KEYWARD_DEFAULT_AUDIENCE rather than ignore it", () => {
    const env = { KEYWARD_DATA_DIR: tempDir(), KEYWARD_DEFAULT_AUDIENCE: "https://orders.example.test/" };
    expect(() => readConfig(env)).toThrow(/KEYWARD_DEFAULT_AUDIENCE was removed/);
  });
});

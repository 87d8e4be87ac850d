import { apiKey } from "@better-auth/api-key";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import pg from "pg";

/**
 * The peer: Better Auth with its api-key plugin on the same PostgreSQL (its own tables beside
 * ours), per-key rate limiting switched off, and the same number of keys, created through its API.
 */
export async function betterAuthPeer(url: string, keys: number) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const auth = betterAuth({
    database: pool,
    secret: "bench-secret-bench-secret-bench-secret-bench",
    baseURL: "http://localhost:3000",
    logger: { disabled: true },
    telemetry: { enabled: false },
    plugins: [apiKey({ rateLimit: { enabled: false } })],
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const context = await auth.$context;
  const user = await context.internalAdapter.createUser(
    {
      email: `peer-${Date.now()}@bench.example`,
      name: "Peer",
      emailVerified: true,
    },
    { method: "admin" },
  );
  const created: string[] = [];
  for (let i = 0; i < keys; i++) {
    const key = await auth.api.createApiKey({ body: { userId: user.id, name: `bench ${i}` } });
    created.push(key.key);
  }
  return {
    keys: created,
    verify: async (key: string) => {
      const result = await auth.api.verifyApiKey({ body: { key } });
      if (!result.valid) throw new Error("Better Auth refused a valid key");
    },
    close: () => pool.end(),
  };
}

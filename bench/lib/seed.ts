import { builtInPermissionId } from "../../lib/apis/built-in-api.ts";
import { randomBytes } from "node:crypto";

import { eventHash, GENESIS_HASH, type HashedEvent } from "../../lib/audit/canonical.ts";
import { sha256Hex } from "../../lib/crypto/hash.ts";
import { displayFragment, newSecretToken } from "../../lib/crypto/secret-token.ts";
import { db } from "../../lib/db/client.ts";
import { hashPassword } from "../../lib/crypto/password.ts";
import { builtInRoleId, ensureBuiltInRoles } from "../../lib/roles/ensure-built-in-roles.ts";

/** Everything is seeded with SQL in bulk: one shared argon2id hash, secrets hashed in JS, a chain computed in JS. */
export const BENCH_PASSWORD = "benchmark password, shared by every seeded user";
const BATCH = 10_000;

export const benchUserId = (i: number) => `usr_bench${String(i).padStart(8, "0")}`;
export const benchUserEmail = (i: number) => `user${i}@bench${i % 97}.example`;

/**
 * Users `from`..`count` (1-based, so a second call can add to a first one: the statistics of a
 * table analysed when it was small, then bulk-loaded, are what bench/users-list.ts calls stale).
 */
export async function seedUsers(count: number, from = 1): Promise<void> {
  await ensureBuiltInRoles(db);
  const hash = await hashPassword(BENCH_PASSWORD);
  await db.$executeRawUnsafe(`
    INSERT INTO "User" (id, email, name, status, "createdAt", "updatedAt")
    SELECT 'usr_bench' || lpad(i::text, 8, '0'), 'user' || i || '@bench' || (i % 97) || '.example', 'Bench User ' || i,
           (CASE WHEN i % 20 = 0 THEN 'disabled' WHEN i % 50 = 1 THEN 'invited' ELSE 'active' END)::"UserStatus",
           now() - (i || ' seconds')::interval, now()
    FROM generate_series(${from}, ${count}) AS i`);
  await db.$executeRawUnsafe(
    `INSERT INTO "PasswordCredential" ("userId", hash, "updatedAt") SELECT id, $1, now() FROM "User" WHERE id BETWEEN $2 AND $3 AND status <> 'invited'`,
    hash,
    benchUserId(from),
    benchUserId(count),
  );
  const roles = await db.role.findMany({ where: { builtInKey: { not: "admin" } }, select: { id: true } });
  for (const [index, role] of roles.entries()) {
    await db.$executeRawUnsafe(
      `INSERT INTO "RoleAssignment" ("userId", "roleId") SELECT id, $1 FROM "User" WHERE id BETWEEN $2 AND $3 AND abs(hashtext(id)) % ${roles.length} = ${index}`,
      role.id,
      benchUserId(from),
      benchUserId(count),
    );
  }
}

/** Active users who may mint tokens and read users: the owners of the seeded tokens and clients. */
export async function makeOwners(count: number): Promise<string[]> {
  const developer = await builtInRoleId(db, "developer");
  const manager = await builtInRoleId(db, "user_manager");
  const ids = Array.from({ length: count }, (_, i) => benchUserId(i * 20 + 2)); // never disabled or invited
  for (const roleId of [developer, manager]) {
    await db.$executeRawUnsafe(
      `INSERT INTO "RoleAssignment" ("userId", "roleId") SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
      ids,
      roleId,
    );
  }
  return ids;
}

/**
 * Personal tokens with scope users.read, spread over the owners. Returns the secrets of the first
 * `keep` (the ones a benchmark presents); the rest exist only as stored hashes, like anyone's.
 */
export async function seedTokens(
  from: number,
  to: number,
  owners: string[],
  keep: number,
): Promise<string[]> {
  const kept: string[] = [];
  const expires = new Date(Date.now() + 30 * 86_400_000);
  for (let start = from; start < to; start += BATCH) {
    const ids: string[] = [];
    const userIds: string[] = [];
    const hashes: string[] = [];
    const fragments: string[] = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      const real = kept.length < keep;
      const token = real ? newSecretToken("personal") : `kw_pat_${randomBytes(16).toString("hex")}`;
      if (real) kept.push(token);
      ids.push(`tok_bench${String(i).padStart(10, "0")}`);
      userIds.push(owners[i % owners.length] as string);
      hashes.push(sha256Hex(token));
      fragments.push(displayFragment("personal", token));
    }
    await db.$executeRawUnsafe(
      `INSERT INTO "ApiToken" (id, "userId", name, "createdAt", "expiresAt")
       SELECT id, uid, 'bench', now(), $3 FROM unnest($1::text[], $2::text[]) AS t(id, uid)`,
      ids,
      userIds,
      expires,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO "ApiTokenPermission" ("tokenId", "permissionId") SELECT id, $2 FROM unnest($1::text[]) AS id`,
      ids,
      builtInPermissionId("users.read"),
    );
    await db.$executeRawUnsafe(
      `INSERT INTO "ApiTokenSecret" (id, "tokenId", hash, fragment, "createdAt")
       SELECT 'tks_' || tid, tid, h, f, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS t(tid, h, f)`,
      ids,
      hashes,
      fragments,
    );
  }
  return kept;
}

export async function seedClients(
  count: number,
  ownerId: string,
): Promise<{ clientId: string; secret: string }[]> {
  const clients = Array.from({ length: count }, (_, i) => ({
    clientId: `cli_bench${String(i).padStart(6, "0")}`,
    secret: newSecretToken("clientSecret"),
  }));
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClient" (id, "clientId", name, "ownerId", "createdAt", "updatedAt")
     SELECT id, id, 'bench ' || id, $2, now(), now() FROM unnest($1::text[]) AS id`,
    clients.map((c) => c.clientId),
    ownerId,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClientPermission" ("clientId", "permissionId") SELECT id, $2 FROM unnest($1::text[]) AS id`,
    clients.map((c) => c.clientId),
    builtInPermissionId("users.read"),
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClientSecret" (id, "clientId", hash, fragment, "createdAt")
     SELECT 'cls_' || cid, cid, h, 'kw_cs_…', now() FROM unnest($1::text[], $2::text[]) AS t(cid, h)`,
    clients.map((c) => c.clientId),
    clients.map((c) => sha256Hex(c.secret)),
  );
  return clients;
}

const ACTIONS = ["auth.sign_in", "user.updated", "token.created", "role.updated", "auth.sign_in_failed"];

/** `count` audit events with a valid hash chain, computed here and inserted in batches. */
export async function seedAuditEvents(count: number, actors: string[]): Promise<void> {
  let prev = GENESIS_HASH;
  const start = Date.now() - count * 1000;
  for (let first = 1; first <= count; first += BATCH) {
    const rows: (HashedEvent & { prevHash: string; hash: string })[] = [];
    for (let id = first; id < Math.min(count + 1, first + BATCH); id++) {
      const actor = actors[id % actors.length] ?? null;
      const event: HashedEvent = {
        id: BigInt(id),
        occurredAt: new Date(start + id * 1000),
        actorKind: "user",
        actorId: actor,
        actorDisplay: actor,
        action: ACTIONS[id % ACTIONS.length] as string,
        targetKind: "user",
        targetId: actors[(id * 7) % actors.length] ?? null,
        targetDisplay: null,
        outcome: id % 11 === 0 ? "failure" : "success",
        ip: "203.0.113.9",
        userAgent: "bench",
        requestId: null,
        details: { n: id },
      };
      const hash = eventHash(prev, event);
      rows.push({ ...event, prevHash: prev, hash });
      prev = hash;
    }
    const col = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
    await db.$executeRawUnsafe(
      `INSERT INTO "AuditEvent" (id, "occurredAt", "actorKind", "actorId", "actorDisplay", action, "targetKind", "targetId", outcome, ip, "userAgent", details, "prevHash", hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamp[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[])`,
      col("id"),
      col("occurredAt"),
      col("actorKind"),
      col("actorId"),
      col("actorDisplay"),
      col("action"),
      col("targetKind"),
      col("targetId"),
      col("outcome"),
      col("ip"),
      col("userAgent"),
      rows.map((row) => JSON.stringify(row.details)),
      col("prevHash"),
      col("hash"),
    );
  }
  await db.$executeRawUnsafe(`SELECT setval('"AuditEvent_id_seq"', ${count})`);
}

/** The registered API the per-API issuance scenario asks tokens for (issue 14). */
export const BENCH_API_IDENTIFIER = "https://orders.bench.example/";

/**
 * Clients allowed one permission of a registered API other than Keyward's own, owned by a user whose
 * role grants it: the token endpoint's per-API path (resource, the client's state at that API).
 */
export async function seedApiClients(
  count: number,
  ownerId: string,
): Promise<{ clientId: string; secret: string }[]> {
  await db.api.create({
    data: { id: "api_bench", name: "Bench Orders API", identifier: BENCH_API_IDENTIFIER, ownerId },
  });
  await db.apiPermission.create({
    data: { id: "perm_bench_orders_read", apiId: "api_bench", name: "orders.read" },
  });
  await db.role.create({
    data: {
      id: "rol_benchorders",
      name: "Bench orders reader",
      grants: { create: [{ permissionId: "perm_bench_orders_read" }] },
      assignments: { create: [{ userId: ownerId }] },
    },
  });
  const clients = Array.from({ length: count }, (_, i) => ({
    clientId: `cli_benchapi${String(i).padStart(6, "0")}`,
    secret: newSecretToken("clientSecret"),
  }));
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClient" (id, "clientId", name, "ownerId", "createdAt", "updatedAt")
     SELECT id, id, 'bench ' || id, $2, now(), now() FROM unnest($1::text[]) AS id`,
    clients.map((c) => c.clientId),
    ownerId,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClientPermission" ("clientId", "permissionId") SELECT id, $2 FROM unnest($1::text[]) AS id`,
    clients.map((c) => c.clientId),
    "perm_bench_orders_read",
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "ApiClientSecret" (id, "clientId", hash, fragment, "createdAt")
     SELECT 'cls_' || cid, cid, h, 'kw_cs_…', now() FROM unnest($1::text[], $2::text[]) AS t(cid, h)`,
    clients.map((c) => c.clientId),
    clients.map((c) => sha256Hex(c.secret)),
  );
  return clients;
}

/** A resource-server credential of an API (issue 14 §5: what introspects), as rows. */
export async function seedResourceServer(apiId: string): Promise<{ clientId: string; secret: string }> {
  const clientId = `rs_bench${randomBytes(6).toString("hex")}`;
  const secret = newSecretToken("resourceServerSecret");
  await db.resourceServerCredential.create({
    data: {
      id: clientId,
      clientId,
      apiId,
      name: "bench",
      secrets: {
        create: {
          id: `rss_${clientId}`,
          hash: sha256Hex(secret),
          fragment: displayFragment("resourceServerSecret", secret),
        },
      },
    },
  });
  return { clientId, secret };
}

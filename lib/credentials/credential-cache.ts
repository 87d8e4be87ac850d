/**
 * The verification cache for API credentials (token and client-secret hashes, access-token ids).
 * It may only answer what the database would answer: every change that affects a credential or its
 * owner (revoke, rotate, disable, delete, role change) calls `credentialsChanged` inside its
 * transaction, which
 *  - drops the affected entries at once and bumps a generation, so a load that started before the
 *    change is never stored;
 *  - marks the affected tags "in flight" until the change is known to be committed (its own NOTIFY
 *    comes back) or for longer than any transaction may last, so that nothing read before the
 *    commit is cached after it;
 *  - and tells other instances (lib/credentials/change-feed.ts) through PostgreSQL NOTIFY on commit.
 * Entries are keyed by a hash, never by the secret itself, and carry tags naming what they depend on.
 */
export type CredentialTag =
  | `user:${string}`
  | `token:${string}`
  | `client:${string}`
  | `jti:${string}`
  | "signing-keys"
  | "apis"
  /** A resource-server credential (lib/resource-servers). */
  | `rs:${string}`
  /** An application (lib/apps): the OpenID provider reads its registration through the cache. */
  | `app:${string}`
  /** The global settings (lib/settings): session lifetimes, step-up, token rules read per request. */
  | "settings";

type Entry = { value: unknown; tags: readonly string[]; storedAt: number };

const MAX_ENTRIES = 50_000;
/** A safety net only: correctness comes from invalidation, not from expiry. */
const TTL_MS = 5 * 60_000;
/** Longer than the longest transaction (lib/db/client.ts: 10 s wait + 15 s run). */
export const IN_FLIGHT_MS = 30_000;

type State = {
  entries: Map<string, Entry>;
  generation: number;
  /** Changes not yet known to be committed: their tags, and until when to assume they may be. */
  inFlight: Map<number, { tags: ReadonlySet<string>; until: number }>;
  nextChange: number;
  /** False while the cross-instance feed is down: then nothing is served from the cache. */
  trusted: boolean;
  hits: number;
  misses: number;
  /** Who waits for a change to end (lib/credentials/change-feed.ts, withHeardChanges). */
  waiters: Map<number, (() => void)[]>;
};

const store = globalThis as typeof globalThis & { __keywardCredentialCache?: State };

function state(): State {
  store.__keywardCredentialCache ??= {
    entries: new Map(),
    generation: 0,
    inFlight: new Map(),
    nextChange: 1,
    trusted: true,
    hits: 0,
    misses: 0,
    waiters: new Map(),
  };
  return store.__keywardCredentialCache;
}

function isInFlight(s: State, tags: readonly string[], now: number): boolean {
  for (const [id, change] of s.inFlight) {
    if (change.until <= now) {
      s.inFlight.delete(id);
      continue;
    }
    if (change.tags.has("*") || tags.some((tag) => change.tags.has(tag))) return true;
  }
  return false;
}

export type Loaded<T> = { value: T; tags: CredentialTag[] } | null;

/**
 * The cached answer for `key`, or `load()`'s (stored unless a change raced it). A null load (unknown
 * credential) is not stored: a flood of made-up credentials must not evict real ones.
 */
export async function cachedCredential<T>(key: string, load: () => Promise<Loaded<T>>): Promise<T | null> {
  const s = state();
  const now = Date.now();
  const hit = s.entries.get(key);
  if (hit && s.trusted && now - hit.storedAt < TTL_MS && !isInFlight(s, hit.tags, now)) {
    s.hits++;
    // Map order is insertion order: re-inserting keeps the most recently used last (LRU eviction).
    s.entries.delete(key);
    s.entries.set(key, hit);
    return hit.value as T;
  }
  s.misses++;
  const generation = s.generation;
  const loaded = await load();
  if (!loaded) return null;
  if (s.trusted && s.generation === generation && !isInFlight(s, loaded.tags, Date.now())) {
    s.entries.set(key, { value: loaded.value, tags: loaded.tags, storedAt: Date.now() });
    if (s.entries.size > MAX_ENTRIES) {
      const oldest = s.entries.keys().next().value;
      if (oldest !== undefined) s.entries.delete(oldest);
    }
  }
  return loaded.value;
}

/** Drops entries carrying any of the tags ("*" = all) and bumps the generation. */
export function invalidateCredentials(tags: readonly string[]): void {
  const s = state();
  s.generation++;
  if (tags.includes("*")) {
    s.entries.clear();
    return;
  }
  const wanted = new Set(tags);
  for (const [key, entry] of s.entries) {
    if (entry.tags.some((tag) => wanted.has(tag))) s.entries.delete(key);
  }
}

/** A change begins (inside its transaction): forget the tags and keep them uncached until it ends. */
export function beginChange(tags: readonly string[], maxMs: number): number {
  const s = state();
  invalidateCredentials(tags);
  const id = s.nextChange++;
  s.inFlight.set(id, { tags: new Set(tags), until: Date.now() + maxMs });
  return id;
}

/** The change is committed (or gone): what is read from now on may be cached again. */
export function endChange(id: number): void {
  const s = state();
  for (const wake of s.waiters.get(id) ?? []) wake();
  s.waiters.delete(id);
  const change = s.inFlight.get(id);
  if (!change) return;
  s.inFlight.delete(id);
  // Anything loaded while it was in flight may have read the old state.
  invalidateCredentials([...change.tags]);
}

/** Resolves when the change has ended (its notice came back), or at once if it is not in flight. */
export function changeEnded(id: number): Promise<void> {
  const s = state();
  if (!s.inFlight.has(id)) return Promise.resolve();
  return new Promise((resolve) => s.waiters.set(id, [...(s.waiters.get(id) ?? []), resolve]));
}

/** The change feed sets this: while other instances' changes might be missed, trust nothing cached. */
export function setCacheTrusted(trusted: boolean): void {
  const s = state();
  if (!trusted) {
    s.entries.clear();
    s.generation++;
  }
  s.trusted = trusted;
}

/**
 * Bumped by every change to a credential, its owner or the registry, here or (through the change
 * feed) on another instance; -1 while the feed is down. Other caches that depend on credentials as
 * a whole (the overview's figures) compare it instead of tagging entries.
 */
export function credentialGeneration(): number {
  const s = state();
  return s.trusted ? s.generation : -1;
}

export function credentialCacheStats(): { entries: number; hits: number; misses: number } {
  const s = state();
  return { entries: s.entries.size, hits: s.hits, misses: s.misses };
}

/** Tests and benchmarks start cold. */
export function clearCredentialCache(): void {
  const s = state();
  s.entries.clear();
  s.generation++;
  s.inFlight.clear();
}

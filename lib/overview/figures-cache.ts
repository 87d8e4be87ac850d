import { credentialGeneration } from "../credentials/credential-cache.ts";

/**
 * The overview's expensive figures (every list's count, MFA adoption: full passes over users,
 * tokens and clients) are shared by every render for a short while, as one computation in flight
 * (`npm run bench:overview` has both the warm render and the computation itself). An entry is
 * dropped as soon as anything changes a credential or its owner — here, or on another instance
 * through the change feed — or an accepted risk here (`overviewChanged`), or Settings change what
 * the lists mean; otherwise it is at most FRESH_MS old (a new user, a sign-in that ends dormancy).
 * While the change feed is down nothing is kept. The lists themselves are always read live.
 */
export const FRESH_MS = 30_000;

type Entry<T> = { key: string; generation: number; local: number; at: number; value: Promise<T> };
const store = globalThis as typeof globalThis & {
  __keywardOverviewFigures?: Entry<unknown>;
  __keywardOverviewLocal?: number;
};

/** Something the figures count changed in this instance without touching a credential (an accepted risk). */
export function overviewChanged(): void {
  store.__keywardOverviewLocal = (store.__keywardOverviewLocal ?? 0) + 1;
}

/** `load()`'s value, shared while fresh; `key` names what it depends on beyond the data (Settings). */
export function cachedFigures<T>(key: string, load: () => Promise<T>): Promise<T> {
  const generation = credentialGeneration();
  const local = store.__keywardOverviewLocal ?? 0;
  const entry = store.__keywardOverviewFigures as Entry<T> | undefined;
  if (
    entry &&
    generation >= 0 &&
    entry.key === key &&
    entry.generation === generation &&
    entry.local === local &&
    Date.now() - entry.at < FRESH_MS
  )
    return entry.value;
  const value = load();
  if (generation >= 0) {
    const next: Entry<T> = { key, generation, local, at: Date.now(), value };
    store.__keywardOverviewFigures = next;
    // A failed computation is not kept: the next render tries again.
    value.catch(() => {
      if (store.__keywardOverviewFigures === next) store.__keywardOverviewFigures = undefined;
    });
  }
  return value;
}

/** Tests and the benchmark start cold. */
export function clearOverviewFigures(): void {
  store.__keywardOverviewFigures = undefined;
}

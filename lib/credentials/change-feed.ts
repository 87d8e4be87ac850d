import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

import pg from "pg";

import { getConfig } from "../config/env.ts";
import type { Tx } from "../db/client.ts";
import {
  beginChange,
  changeEnded,
  type CredentialTag,
  endChange,
  IN_FLIGHT_MS,
  invalidateCredentials,
  setCacheTrusted,
} from "./credential-cache.ts";

const CHANNEL = "keyward_credentials";
/** Each instance says here that it has dropped what another instance's notice named. */
const HEARD_CHANNEL = "keyward_credentials_heard";
/** The listeners' application_name: how an instance counts the instances that must say so. */
export const FEED_APPLICATION_NAME = "keyward-change-feed";
const RECONNECT_MS = 1_000;

const shared = globalThis as typeof globalThis & {
  __keywardInstanceId?: string;
  __keywardAcknowledgements?: Map<number, Acknowledgements>;
};
/**
 * Tells this process's changes from other instances' in the notices that come back. Per process,
 * not per module copy: Next may load this module once per route bundle, and a notice sent from one
 * copy comes back to the feed another copy started.
 */
const INSTANCE = (shared.__keywardInstanceId ??= randomUUID());

/**
 * Call inside the transaction that changes a credential, its owner or their roles. The local cache
 * forgets the tags at once and keeps them uncached until the change is committed: PostgreSQL
 * delivers NOTIFY only on commit, to every listener, this process's own included, which ends the
 * change here and tells other instances. Embedded mode is one instance with one connection: a
 * load cannot run while the transaction holds it, so forgetting at once is enough.
 */
export async function credentialsChanged(tx: Tx, tags: readonly (CredentialTag | "*")[]): Promise<void> {
  if (tags.length === 0) return;
  if (getConfig().embeddedDatabase) {
    invalidateCredentials(tags);
    return;
  }
  const change = beginChange(tags, IN_FLIGHT_MS);
  changeScope().getStore()?.add(change);
  const notice: Notice = { instance: INSTANCE, change, tags: [...tags] };
  await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(notice)})`;
}

type Notice = { instance: string; change: number; tags: string[] };

/** How long a response waits for its changes to come back on the feed; the feed is up or slow. */
const HEARD_WAIT_MS = 1_000;

const scopes = globalThis as typeof globalThis & { __keywardChangeScope?: AsyncLocalStorage<Set<number>> };
/** One scope store per process: Next may load this module once per route bundle. */
const changeScope = () => (scopes.__keywardChangeScope ??= new AsyncLocalStorage<Set<number>>());

/**
 * Runs a request's work, then, if it changed credentials, settings or keys, waits (at most a
 * second) until every instance has dropped what the change makes stale: our own notice is back
 * (the commit is known here) and each other instance listening on the feed has said it heard it.
 * So a client that is told "revoked" and asks another instance next is refused there: the next
 * request, not some milliseconds later (PostgreSQL signals the listeners at commit, but each reads
 * its notice in its own time). The access pipeline (lib/http) wraps every handler in it. A change
 * that failed is answered at once; an instance that does not answer within the bound is not
 * waited for longer (it is stuck, or its feed is down and it trusts no cache meanwhile).
 */
export async function withHeardChanges<T>(work: () => Promise<T>): Promise<T> {
  const changes = new Set<number>();
  const result = await changeScope().run(changes, work);
  // Only while listening: a notice sent before LISTEN took effect never comes back (and meanwhile
  // this instance trusts nothing cached anyway).
  if (changes.size > 0 && store.__keywardChangeFeed?.listening) {
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, HEARD_WAIT_MS);
      timer.unref();
    });
    let others = 0;
    const everyone = (async () => {
      others = (await listeningInstances()) - 1;
      await Promise.all(
        [...changes].map((change) => Promise.all([changeEnded(change), heardBy(change, others)])),
      );
      return true;
    })();
    const allHeard = await Promise.race([everyone.catch(() => false), patience.then(() => false)]);
    clearTimeout(timer);
    if (!allHeard) {
      // An operator should hear of it: an instance that does not answer may serve stale answers.
      const heard = Math.min(...[...changes].map((change) => acknowledgements.get(change)?.by.size ?? 0));
      console.warn(
        `[credentials] a change was answered before every instance said it heard it (${heard} of ${others} others within ${HEARD_WAIT_MS} ms)`,
      );
    }
    for (const change of changes) acknowledgements.delete(change);
  }
  return result;
}

/** How many instances listen on this database now (ours included). */
async function listeningInstances(): Promise<number> {
  const client = store.__keywardChangeFeed?.client;
  if (!client) return 1;
  const { rows } = await client.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
    [FEED_APPLICATION_NAME],
  );
  return rows[0]?.count ?? 1;
}

type Acknowledgements = { at: number; by: Set<string>; waiting: { count: number; wake: () => void }[] };
/** Per change of ours: the instances that have said they heard it, and who waits for how many. */
const acknowledgements = (shared.__keywardAcknowledgements ??= new Map<number, Acknowledgements>());

function entryFor(change: number): Acknowledgements {
  const now = Date.now();
  // Acknowledgements of changes nobody waited for (a job's, the CLI's) are not kept.
  for (const [id, entry] of acknowledgements)
    if (now - entry.at > 2 * HEARD_WAIT_MS) acknowledgements.delete(id);
  const entry = acknowledgements.get(change) ?? { at: now, by: new Set<string>(), waiting: [] };
  acknowledgements.set(change, entry);
  return entry;
}

function heardBy(change: number, count: number): Promise<void> {
  const entry = entryFor(change);
  if (entry.by.size >= count) return Promise.resolve();
  return new Promise((wake) => entry.waiting.push({ count, wake }));
}

function acknowledged(payload: string | undefined): void {
  try {
    const ack = JSON.parse(payload ?? "") as Partial<{ instance: string; change: number; by: string }>;
    if (ack.instance !== INSTANCE || typeof ack.change !== "number" || typeof ack.by !== "string") return;
    const entry = entryFor(ack.change);
    entry.by.add(ack.by);
    entry.waiting = entry.waiting.filter(({ count, wake }) =>
      entry.by.size >= count ? (wake(), false) : true,
    );
  } catch {
    // not one of ours
  }
}

function heard(client: pg.Client, payload: string | undefined): void {
  try {
    const notice = JSON.parse(payload ?? "") as Partial<Notice>;
    const tags = Array.isArray(notice.tags) ? notice.tags.map(String) : ["*"];
    if (notice.instance === INSTANCE && typeof notice.change === "number") {
      endChange(notice.change);
      return;
    }
    invalidateCredentials(tags);
    // Dropped: tell the instance that made the change, which holds its answer until all have.
    if (typeof notice.instance === "string" && typeof notice.change === "number") {
      const ack = JSON.stringify({ instance: notice.instance, change: notice.change, by: INSTANCE });
      client.query("SELECT pg_notify($1, $2)", [HEARD_CHANNEL, ack]).catch(() => undefined);
    }
  } catch {
    invalidateCredentials(["*"]);
  }
}

type Feed = {
  client: pg.Client | null;
  /** LISTEN has succeeded on `client`: notices, ours included, now come back. */
  listening: boolean;
  url: string;
  stopped: boolean;
  timer?: NodeJS.Timeout;
};
const store = globalThis as typeof globalThis & { __keywardChangeFeed?: Feed };

/**
 * Starts listening for other instances' changes (once per process). Until the listener is up, and
 * whenever it drops, the cache is not trusted: verification goes to the database every time.
 */
export function ensureChangeFeed(): void {
  const config = getConfig();
  if (config.embeddedDatabase || !config.databaseUrl) return;
  const current = store.__keywardChangeFeed;
  if (current && current.url === config.databaseUrl && !current.stopped) return;
  const feed: Feed = { client: null, listening: false, url: config.databaseUrl, stopped: false };
  store.__keywardChangeFeed = feed;
  setCacheTrusted(false);
  void connect(feed);
}

async function connect(feed: Feed): Promise<void> {
  if (feed.stopped) return;
  const client = new pg.Client({ connectionString: feed.url, application_name: FEED_APPLICATION_NAME });
  feed.client = client;
  const lost = () => {
    if (feed.client !== client) return;
    feed.client = null;
    feed.listening = false;
    setCacheTrusted(false);
    client.end().catch(() => undefined);
    if (!feed.stopped) feed.timer = setTimeout(() => void connect(feed), RECONNECT_MS);
    feed.timer?.unref();
  };
  client.on("error", (error) => {
    console.error(`[credentials] change feed lost: ${error.message}`);
    lost();
  });
  client.on("end", lost);
  client.on("notification", (message) => {
    if (message.channel === CHANNEL) heard(client, message.payload);
    else if (message.channel === HEARD_CHANNEL) acknowledged(message.payload);
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    await client.query(`LISTEN ${HEARD_CHANNEL}`);
    if (feed.client === client && !feed.stopped) {
      feed.listening = true;
      setCacheTrusted(true);
    }
  } catch (error) {
    console.error(`[credentials] change feed could not start: ${(error as Error).message}`);
    lost();
  }
}

export async function stopChangeFeed(): Promise<void> {
  const feed = store.__keywardChangeFeed;
  if (!feed) return;
  feed.stopped = true;
  if (feed.timer) clearTimeout(feed.timer);
  const client = feed.client;
  feed.client = null;
  store.__keywardChangeFeed = undefined;
  setCacheTrusted(true);
  await client?.end().catch(() => undefined);
}

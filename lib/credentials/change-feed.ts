import { randomUUID } from "node:crypto";

import pg from "pg";

import { getConfig } from "../config/env.ts";
import type { Tx } from "../db/client.ts";
import {
  beginChange,
  type CredentialTag,
  endChange,
  IN_FLIGHT_MS,
  invalidateCredentials,
  setCacheTrusted,
} from "./credential-cache.ts";

const CHANNEL = "keyward_credentials";
const RECONNECT_MS = 1_000;

/** Tells this process's changes from other instances' in the notices that come back. */
const INSTANCE = randomUUID();

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
  const notice: Notice = { instance: INSTANCE, change, tags: [...tags] };
  await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(notice)})`;
}

type Notice = { instance: string; change: number; tags: string[] };

function heard(payload: string | undefined): void {
  try {
    const notice = JSON.parse(payload ?? "") as Partial<Notice>;
    const tags = Array.isArray(notice.tags) ? notice.tags.map(String) : ["*"];
    if (notice.instance === INSTANCE && typeof notice.change === "number") endChange(notice.change);
    else invalidateCredentials(tags);
  } catch {
    invalidateCredentials(["*"]);
  }
}

type Feed = { client: pg.Client | null; url: string; stopped: boolean; timer?: NodeJS.Timeout };
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
  const feed: Feed = { client: null, url: config.databaseUrl, stopped: false };
  store.__keywardChangeFeed = feed;
  setCacheTrusted(false);
  void connect(feed);
}

async function connect(feed: Feed): Promise<void> {
  if (feed.stopped) return;
  const client = new pg.Client({ connectionString: feed.url });
  feed.client = client;
  const lost = () => {
    if (feed.client !== client) return;
    feed.client = null;
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
    if (message.channel === CHANNEL) heard(message.payload);
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (feed.client === client && !feed.stopped) setCacheTrusted(true);
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

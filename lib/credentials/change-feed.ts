import pg from "pg";

import { getConfig } from "../config/env.ts";
import type { Tx } from "../db/client.ts";
import {
  type CredentialTag,
  IN_FLIGHT_MS,
  invalidateCredentials,
  setCacheTrusted,
} from "./credential-cache.ts";

const CHANNEL = "keyward_credentials";
const RECONNECT_MS = 1_000;

/**
 * Call inside the transaction that changes a credential, its owner or their roles. The local cache
 * forgets the tags at once (and keeps them uncached until the transaction has surely ended); other
 * instances hear it through NOTIFY, which PostgreSQL delivers only if and when the change commits.
 * Embedded mode is a single instance: there is nobody to tell.
 */
export async function credentialsChanged(tx: Tx, tags: readonly (CredentialTag | "*")[]): Promise<void> {
  if (tags.length === 0) return;
  invalidateCredentials(tags, IN_FLIGHT_MS);
  if (!getConfig().embeddedDatabase) {
    await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(tags)})`;
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
    if (message.channel !== CHANNEL) return;
    try {
      const tags = JSON.parse(message.payload ?? "[]") as string[];
      invalidateCredentials(Array.isArray(tags) ? tags.map(String) : ["*"]);
    } catch {
      invalidateCredentials(["*"]);
    }
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

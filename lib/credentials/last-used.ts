import { db } from "../db/client.ts";

/** Last-used is a hint, not a ledger: written at most once a minute per credential, never awaited. */
export const LAST_USED_WRITE_MS = 60_000;

const store = globalThis as typeof globalThis & { __keywardLastUsed?: Map<string, number> };

function shouldWrite(key: string, now: number): boolean {
  const written = (store.__keywardLastUsed ??= new Map());
  if (now - (written.get(key) ?? 0) < LAST_USED_WRITE_MS) return false;
  if (written.size > 100_000) written.clear();
  written.set(key, now);
  return true;
}

export function noteTokenUse(tokenId: string, ip: string): void {
  const now = Date.now();
  if (!shouldWrite(`token:${tokenId}`, now)) return;
  db.apiToken
    .updateMany({ where: { id: tokenId }, data: { lastUsedAt: new Date(now), lastUsedIp: ip || null } })
    .catch((error: unknown) => console.error(`[tokens] could not record last use: ${String(error)}`));
}

export function noteClientUse(clientId: string): void {
  const now = Date.now();
  if (!shouldWrite(`client:${clientId}`, now)) return;
  db.apiClient
    .updateMany({ where: { id: clientId }, data: { lastUsedAt: new Date(now) } })
    .catch((error: unknown) => console.error(`[clients] could not record last use: ${String(error)}`));
}

import { builtInPermissionId } from "../../lib/apis/built-in-api.ts";
import {
  flushPermissionUse,
  notePermissionUse,
  pendingPermissionUseKeys,
} from "../../lib/credentials/permission-use.ts";

/**
 * Issue 17: what recording per-permission use adds to a request, in process. Each authorized
 * request on Keyward's API calls `notePermissionUse` once (a Map increment); every 5 s one upsert
 * writes the distinct (token, permission, day) keys. Both are measured here over the same tokens
 * the HTTP rows rotate over, and compared (bench/run.ts) with the server CPU one token-verified
 * request costs in the same run.
 */
export type PermissionUseCost = {
  /** Nanoseconds per call, steady state: every key already pending (a busy API). */
  noteNs: number;
  /** Nanoseconds per call when every call is a new key (the first use of the day per token). */
  firstNoteNs: number;
  /** One flush of `keys` pending keys, in milliseconds (off the request path, on the server's CPU). */
  flushMs: number;
  keys: number;
};

const ns = (start: bigint) => Number(process.hrtime.bigint() - start);

export async function permissionUseCost(tokenIds: string[], calls = 2_000_000): Promise<PermissionUseCost> {
  const permission = [builtInPermissionId("users.read")];
  await flushPermissionUse();
  // New keys: each token's first use.
  let start = process.hrtime.bigint();
  for (const id of tokenIds) notePermissionUse("token", id, permission);
  const firstNoteNs = ns(start) / tokenIds.length;
  // Warm-up, then the steady state: the same keys again and again.
  for (let i = 0; i < 200_000; i++)
    notePermissionUse("token", tokenIds[i % tokenIds.length] as string, permission);
  start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++)
    notePermissionUse("token", tokenIds[i % tokenIds.length] as string, permission);
  const noteNs = ns(start) / calls;
  const keys = pendingPermissionUseKeys();
  start = process.hrtime.bigint();
  await flushPermissionUse();
  const flushMs = ns(start) / 1e6;
  return { noteNs, firstNoteNs, flushMs, keys };
}

import { builtInPermissionId } from "../../lib/apis/built-in-api.ts";
import {
  flushPermissionUse,
  notePermissionUse,
  pendingPermissionUseKeys,
} from "../../lib/credentials/permission-use.ts";

/**
 * Issue 17: what recording per-permission use adds to a request, in process. Each authorized
 * request on Keyward's API calls `notePermissionUse` once (a Map increment); once a minute one
 * upsert writes the distinct (token, permission, day) keys noted since. Both are measured here over the
 * tokens the HTTP row rotates over, and compared (bench/run.ts) with the web server's CPU per
 * token-verified request in the same run.
 */
export type PermissionUseCost = {
  /** Nanoseconds per call, steady state: the key already pending (a busy API). */
  noteNs: number;
  /** Nanoseconds per call when the key is new to the batch. */
  firstNoteNs: number;
  /** Keys per flush: those one flush interval of the HTTP load notes. */
  keys: number;
  /** A flush whose keys are each the day's first (inserts), milliseconds of wall time. */
  insertFlushMs: number;
  /** A flush adding to rows written earlier that day (updates), the median of three. */
  updateFlushMs: number;
  /** This process's own CPU in one update flush (building the arrays; the rest is PostgreSQL's). */
  flushCpuMs: number;
};

const ns = (start: bigint) => Number(process.hrtime.bigint() - start);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function permissionUseCost(
  tokenIds: string[],
  windowKeys: number,
  calls = 2_000_000,
): Promise<PermissionUseCost> {
  const permission = [builtInPermissionId("users.read")];
  const ids = tokenIds.slice(0, Math.max(1, Math.min(tokenIds.length, windowKeys)));
  const noteAll = () => {
    for (const id of ids) notePermissionUse("token", id, permission);
  };
  await flushPermissionUse();

  let start = process.hrtime.bigint();
  noteAll();
  const firstNoteNs = ns(start) / ids.length;
  const keys = pendingPermissionUseKeys();
  start = process.hrtime.bigint();
  await flushPermissionUse();
  const insertFlushMs = ns(start) / 1e6;

  for (let i = 0; i < 200_000; i++) notePermissionUse("token", ids[i % ids.length] as string, permission);
  start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) notePermissionUse("token", ids[i % ids.length] as string, permission);
  const noteNs = ns(start) / calls;
  await flushPermissionUse();

  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < 3; run++) {
    noteAll();
    const before = process.cpuUsage();
    start = process.hrtime.bigint();
    await flushPermissionUse();
    wall.push(ns(start) / 1e6);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  return {
    noteNs,
    firstNoteNs,
    keys,
    insertFlushMs,
    updateFlushMs: median(wall),
    flushCpuMs: median(cpu),
  };
}

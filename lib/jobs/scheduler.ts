import { sendFailureAlert } from "../notifications/failure-alert.ts";
import { sendWeeklyDigest } from "../notifications/weekly-digest.ts";
import { expireAcceptances } from "./acceptance-expiry.ts";
import { runDailyRollup } from "./daily-rollup.ts";
import { logSafe } from "./log.ts";

/** A background job: a function of the time, so tests drive the clock and every instance agrees. */
export type Job = { name: string; run: (now: Date) => Promise<unknown> };

/**
 * Every tick runs them all, in this order; each decides for itself whether it is due and, through
 * its lock and JobRun claim (./run-once.ts), whether this instance is the one to do it.
 */
export const JOBS: readonly Job[] = [
  { name: "rollup", run: runDailyRollup },
  { name: "acceptance-expiry", run: expireAcceptances },
  { name: "weekly-digest", run: sendWeeklyDigest },
  { name: "failure-alert", run: sendFailureAlert },
];

export const FIRST_TICK_MS = 15_000;
export const TICK_MS = 5 * 60_000;

/** One tick: each job in turn; one failing is logged (without secrets) and the others still run. */
export async function runDueJobs(now: Date = new Date(), jobs: readonly Job[] = JOBS): Promise<void> {
  for (const job of jobs) {
    try {
      await job.run(now);
    } catch (error) {
      logSafe(`[jobs] ${job.name} failed (it runs again at the next tick)`, error);
    }
  }
}

type State = { timer?: NodeJS.Timeout; running?: Promise<void>; stopped: boolean };
// On globalThis: scripts/server.js and Next's bundles may load this module separately.
const store = globalThis as typeof globalThis & { __keywardJobs?: State };

export type JobsOptions = { jobs?: readonly Job[]; firstTickMs?: number; tickMs?: number };

/**
 * Starts the ticks: the first shortly after start (the server is up, the migrations done), then
 * every five minutes. The next tick is set only when the last has finished, so ticks never overlap
 * in one instance; timers are unref'd so they never keep the process alive. Starting twice is a
 * no-op.
 */
export function startJobs(options: JobsOptions = {}): void {
  if (store.__keywardJobs && !store.__keywardJobs.stopped) return;
  const state: State = { stopped: false };
  store.__keywardJobs = state;
  const jobs = options.jobs ?? JOBS;
  const every = options.tickMs ?? TICK_MS;
  const schedule = (ms: number) => {
    if (state.stopped) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.running = runDueJobs(new Date(), jobs)
        .catch((error: unknown) => logSafe("[jobs] a tick failed", error))
        .finally(() => {
          state.running = undefined;
          schedule(every);
        });
    }, ms);
    state.timer.unref();
  };
  schedule(options.firstTickMs ?? FIRST_TICK_MS);
}

/** Stops the ticks and waits for one under way to finish (shutdown: nothing cut off mid-write). */
export async function stopJobs(): Promise<void> {
  const state = store.__keywardJobs;
  if (!state) return;
  state.stopped = true;
  if (state.timer) clearTimeout(state.timer);
  state.timer = undefined;
  await state.running;
}

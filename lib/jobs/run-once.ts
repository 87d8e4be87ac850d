import { recordAudit, type AuditEventInput } from "../audit/record-audit.ts";
import { db, type Tx } from "../db/client.ts";

/**
 * Background jobs that must happen once across every instance (the daily rollup, the weekly
 * digest, the failure alert). Each job has its own advisory lock, in the two-key form under one
 * namespace so it can never collide with the single-key locks elsewhere (the audit chain's, the
 * signing keys'). `pg_try_…` and not `pg_advisory_…`: an instance that finds the job busy skips
 * this tick instead of queueing behind it and redoing the work.
 */
const JOB_LOCK_NAMESPACE = 7_294_100;

async function tryJobLock(tx: Tx, job: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ locked: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(${JOB_LOCK_NAMESPACE}::int4, hashtext(${job})) AS locked`;
  return row?.locked === true;
}

/**
 * Runs `fn` in a transaction holding the job's lock, or not at all when another instance holds it
 * (null). For work done on every tick that must not run twice at once (refreshing today's figures,
 * expiring accepted risks). `fn` must use `tx` for every query: embedded mode has one connection.
 */
export async function withJobLock<T>(job: string, fn: (tx: Tx) => Promise<T>): Promise<{ value: T } | null> {
  return db.$transaction(async (tx) => ((await tryJobLock(tx, job)) ? { value: await fn(tx) } : null));
}

export type JobOutcome = { ran: true; summary: string } | { ran: false };
/** What a run did: the summary kept on its JobRun row, and the audit event that records it, if any. */
export type JobDone = { summary: string; audit?: AuditEventInput };

/**
 * Runs `fn` once per (job, period) across all instances: the instance that inserts the JobRun row
 * runs it; every other (a racing instance, a later tick, a restart) finds the row and skips.
 *
 * The claim commits before `fn` runs, so `fn` may take its time and use the global client and its
 * own transactions (the digest reads other modules' queries and talks to SMTP; holding a
 * transaction's only connection meanwhile would deadlock embedded mode). Once at most, then: if
 * `fn` throws, the claim is withdrawn so a later tick retries, and `fn` must itself be safe to
 * retry up to its first irreversible act (a sent mail), after which it should not throw. The run's
 * audit event is written with the `finishedAt` stamp, in one transaction; should that fail, or the
 * process die mid-run, the period stays claimed with no `finishedAt` (operators can see it) and is
 * not run again: a second digest is worse than a missing one.
 */
export async function runOncePer(
  job: string,
  period: string,
  fn: () => Promise<JobDone>,
): Promise<JobOutcome> {
  const claimed = await db.$transaction(async (tx) => {
    if (!(await tryJobLock(tx, job))) return false;
    const { count } = await tx.jobRun.createMany({ data: [{ job, period }], skipDuplicates: true });
    return count === 1;
  });
  if (!claimed) return { ran: false };
  let done: JobDone;
  try {
    done = await fn();
  } catch (error) {
    await db.jobRun.deleteMany({ where: { job, period, finishedAt: null } }).catch(() => undefined);
    throw error;
  }
  const { summary, audit } = done;
  await db.$transaction(async (tx) => {
    await tx.jobRun.update({
      where: { job_period: { job, period } },
      data: { finishedAt: new Date(), summary },
    });
    if (audit) await recordAudit(tx, audit);
  });
  return { ran: true, summary };
}

/** Whether the period was already claimed (cheap, no lock): lets a job skip costly preparation. */
export async function periodClaimed(job: string, period: string): Promise<boolean> {
  return (await db.jobRun.count({ where: { job, period } })) > 0;
}

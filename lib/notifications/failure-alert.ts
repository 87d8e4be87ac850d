import { builtInPermissionId } from "../apis/built-in-api.ts";
import { SYSTEM_CONTEXT } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { FAILURE_KINDS } from "../auth/sign-in-counts.ts";
import { logSafe } from "../jobs/log.ts";
import { utcHour } from "../jobs/periods.ts";
import { runOncePer } from "../jobs/run-once.ts";
import { mailConfigured, sendMail } from "../mail/mailer.ts";
import { failuresSince } from "../overview/sign-in-health.ts";
import { getSettings } from "../settings/settings.ts";
import { FAILURE_ALERT_PERMISSIONS } from "./alert-permissions.ts";
import { failureAlertMail, type FailureFigures } from "./failure-alert-mail.ts";

export const FAILURE_ALERT_JOB = "failure-alert";
const HOUR_MS = 3_600_000;
const TOP = 5;

type Totals = { kind: string; count: number }[];
type Top = { value: string; count: number }[];

/**
 * The counters are hourly, so "the last hour" is read as the counter hours it touches: the one
 * `now` is in and the one before. A spike straddling the hour is seen whole.
 */
async function figures(now: Date, threshold: number): Promise<FailureFigures> {
  const from = new Date(Math.floor((now.getTime() - HOUR_MS) / HOUR_MS) * HOUR_MS);
  const where = { kind: { in: [...FAILURE_KINDS] }, hour: { gte: from } };
  const totals: Totals = (
    await db.signInCount.groupBy({
      by: ["kind"],
      where: { ...where, dimension: "total" },
      _sum: { count: true },
    })
  ).map((row) => ({ kind: row.kind, count: row._sum.count ?? 0 }));
  const top = async (dimension: "source" | "account"): Promise<Top> =>
    (
      await db.signInCount.groupBy({
        by: ["value"],
        where: { ...where, dimension },
        _sum: { count: true },
        orderBy: [{ _sum: { count: "desc" } }, { value: "asc" }],
        take: TOP,
      })
    ).map((row) => ({ value: row.value, count: row._sum.count ?? 0 }));
  const of = (kind: string) => totals.find((row) => row.kind === kind)?.count ?? 0;
  return {
    failures: totals.reduce((sum, row) => sum + row.count, 0),
    byKind: {
      password_failed: of("password_failed"),
      second_factor_failed: of("second_factor_failed"),
      lockout: of("lockout"),
    },
    threshold,
    from,
    to: now,
    topSources: await top("source"),
    topAccounts: await top("account"),
  };
}

/** Active users who opted in and still hold a permission that may receive the alert. */
function recipients() {
  const permissionIds = FAILURE_ALERT_PERMISSIONS.map((permission) => builtInPermissionId(permission));
  return db.user.findMany({
    where: {
      status: "active",
      failureAlerts: true,
      roles: { some: { role: { grants: { some: { permissionId: { in: permissionIds } } } } } },
    },
    select: { id: true, email: true },
    orderBy: { id: "asc" },
  });
}

export type FailureAlertResult = { hour: string; failures: number; ran: boolean; emails: number };

/**
 * Each tick: when sign-in failures in the last hour reach Settings' failureAlertPerHour, one email
 * to each administrator who opted in, at most once per UTC hour across all instances, audited as
 * one `notification.failure_alert_sent` with the figures and the number of emails.
 */
export async function sendFailureAlert(now: Date): Promise<FailureAlertResult> {
  const hour = utcHour(now);
  if (!mailConfigured()) return { hour, failures: 0, ran: false, emails: 0 };
  const threshold = (await getSettings(db)).failureAlertPerHour;
  // The cheap total first (every tick); the breakdown only when there is an alert to write.
  const failures = await failuresSince(new Date(now.getTime() - HOUR_MS));
  if (failures < threshold) return { hour, failures, ran: false, emails: 0 };
  const seen = await figures(now, threshold);
  // Nobody to tell: nothing claimed, so an administrator who opts in during the hour still hears.
  const admins = await recipients();
  if (admins.length === 0) return { hour, failures: seen.failures, ran: false, emails: 0 };
  let emails = 0;
  let failed = 0;
  const outcome = await runOncePer(FAILURE_ALERT_JOB, hour, async () => {
    for (const admin of admins) {
      try {
        await sendMail(failureAlertMail(admin.email, seen));
        emails++;
      } catch (error) {
        failed++;
        logSafe(`[jobs] the failure alert to user ${admin.id} was not sent`, error);
      }
    }
    return {
      summary: `${seen.failures} failures (threshold ${threshold}); ${emails} emails sent${failed ? `, ${failed} failed` : ""}`,
      audit: {
        action: "notification.failure_alert_sent",
        actor: { kind: "system", display: "keyward" },
        outcome: failed > 0 && emails === 0 ? "failure" : "success",
        context: SYSTEM_CONTEXT,
        details: {
          hour,
          failures: seen.failures,
          threshold,
          byKind: seen.byKind,
          topSources: seen.topSources,
          topAccounts: seen.topAccounts,
          emails,
          failed,
        },
      },
    };
  });
  return { hour, failures: seen.failures, ran: outcome.ran, emails };
}

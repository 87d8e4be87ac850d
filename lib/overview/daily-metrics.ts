import { z } from "zod";

import { db } from "../db/client.ts";
import { addDays, startOfUtcDay, utcDay } from "../jobs/periods.ts";

/** One day of the overview's charts (UTC), oldest first. */
export type DailyPoint = {
  day: string;
  signIns: number;
  failures: number;
  mfaUsers: number;
  activeUsers: number;
};

/** The metrics lib/jobs/daily-rollup.ts writes; the last two are states read once a day. */
const SNAPSHOTS = ["mfa_users", "active_users"] as const;
const METRICS = ["sign_ins", "sign_in_failures", ...SNAPSHOTS];

export const dailySeriesDaysSchema = z.number().int().min(1).max(400);

/**
 * The last `days` UTC days up to and including today's, from the rollup (lib/jobs/daily-rollup.ts).
 * A day with no row had no sign-ins or failures (zero); the MFA figures are a state, not a count,
 * so a day without one (no instance ran that day) carries the last one before it forward.
 */
export async function dailySeries(days: number, now: Date = new Date()): Promise<DailyPoint[]> {
  const count = dailySeriesDaysSchema.parse(days);
  const today = startOfUtcDay(now);
  const from = addDays(today, -(count - 1));
  const rows = await db.dailyMetric.findMany({
    where: { metric: { in: METRICS }, day: { gte: from, lte: today } },
    select: { day: true, metric: true, value: true },
  });
  // The value in force when the window opens: the newest snapshot before it.
  const before = await Promise.all(
    SNAPSHOTS.map((metric) =>
      db.dailyMetric.findFirst({
        where: { metric, day: { lt: from } },
        orderBy: { day: "desc" },
        select: { value: true },
      }),
    ),
  );
  const byDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const key = utcDay(row.day);
    const day = byDay.get(key) ?? new Map<string, number>();
    day.set(row.metric, row.value);
    byDay.set(key, day);
  }
  let mfaUsers = before[0]?.value ?? 0;
  let activeUsers = before[1]?.value ?? 0;
  const series: DailyPoint[] = [];
  for (let i = 0; i < count; i++) {
    const key = utcDay(addDays(from, i));
    const values = byDay.get(key);
    mfaUsers = values?.get("mfa_users") ?? mfaUsers;
    activeUsers = values?.get("active_users") ?? activeUsers;
    series.push({
      day: key,
      signIns: values?.get("sign_ins") ?? 0,
      failures: values?.get("sign_in_failures") ?? 0,
      mfaUsers,
      activeUsers,
    });
  }
  return series;
}

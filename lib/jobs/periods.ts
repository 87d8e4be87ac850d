/** The periods jobs are claimed for, all in UTC so every instance names the same one. */

const DAY_MS = 86_400_000;

/** The UTC day's midnight. */
export function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** "2026-12-07" */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** "2026-12-07T14": the UTC hour. */
export function utcHour(at: Date): string {
  return at.toISOString().slice(0, 13);
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/**
 * ISO 8601 week, e.g. "2026-W50": weeks start on Monday, and week 1 is the one holding the year's
 * first Thursday, so the week's year is its Thursday's (30 December 2025 is in "2026-W01").
 */
export function isoWeek(at: Date): string {
  const day = startOfUtcDay(at);
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  const thursday = addDays(day, 4 - weekday);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

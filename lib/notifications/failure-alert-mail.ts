import { getConfig } from "../config/env.ts";
import type { Mail } from "../mail/mailer.ts";

export type FailureFigures = {
  /** Failed sign-ins counted in the window, all kinds. */
  failures: number;
  byKind: { password_failed: number; second_factor_failed: number; lockout: number };
  threshold: number;
  /** The window, as whole counter hours (UTC). */
  from: Date;
  to: Date;
  topSources: { value: string; count: number }[];
  topAccounts: { value: string; count: number }[];
};

const hour = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
// Typed account names and addresses are the attacker's text: one line each, and short.
const shown = (value: string) => JSON.stringify(value.slice(0, 120));

/** "Sign-in failures passed the threshold": how many, of which kinds, from where and at whom. */
export function failureAlertMail(to: string, figures: FailureFigures): Mail {
  const url = (path: string) => new URL(path, getConfig().publicUrl).href;
  const list = (rows: { value: string; count: number }[]) =>
    rows.length ? rows.map((row) => `  ${shown(row.value)}: ${row.count}`) : ["  (not known)"];
  const text = [
    `Keyward counted ${figures.failures} failed sign-ins between ${hour(figures.from)} and ${hour(figures.to)}; the alert threshold is ${figures.threshold} an hour.`,
    "",
    `Wrong passwords: ${figures.byKind.password_failed}`,
    `Wrong second factors: ${figures.byKind.second_factor_failed}`,
    `Attempts refused while locked out: ${figures.byKind.lockout}`,
    "",
    "Top source addresses:",
    ...list(figures.topSources),
    "",
    "Top targeted accounts (as typed):",
    ...list(figures.topAccounts),
    "",
    `See the sign-in health on the overview at ${url("/overview")} and the audit log at ${url("/audit")}.`,
    `The threshold is in Settings (${url("/settings")}); you get at most one alert an hour. To stop these alerts, turn them off at ${url("/account")}.`,
  ].join("\n");
  return { to, subject: `Keyward: ${figures.failures} failed sign-ins in the last hour`, text };
}

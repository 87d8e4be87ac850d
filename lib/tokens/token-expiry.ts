import { Invalid } from "../errors/app-error.ts";
import type { Settings } from "../settings/settings.ts";
import type { MintTokenInput } from "./token-schemas.ts";

const DAY_MS = 86_400_000;

/** When a new token expires, within the admin's cap; null only where "never" is allowed. */
export function tokenExpiry(
  input: Pick<MintTokenInput, "expiration" | "expiresOn">,
  settings: Pick<Settings, "tokenMaxLifetimeDays" | "tokenAllowNoExpiry">,
  now: Date,
): Date | null {
  const max = settings.tokenMaxLifetimeDays;
  const tooLong = (path: string) =>
    Invalid(`Tokens may live at most ${max} days here.`, [
      { path, message: `Choose at most ${max} days (an administrator sets this limit).` },
    ]);
  if (input.expiration === "never") {
    if (!settings.tokenAllowNoExpiry) {
      throw Invalid("Tokens must expire here.", [
        { path: "expiration", message: "Choose an expiry: tokens that never expire are not allowed here." },
      ]);
    }
    return null;
  }
  if (input.expiration === "custom") {
    const day = new Date(`${input.expiresOn ?? ""}T23:59:59.999Z`);
    if (Number.isNaN(day.getTime())) {
      throw Invalid("Enter a valid date.", [{ path: "expiresOn", message: "Enter a valid date." }]);
    }
    if (day.getTime() <= now.getTime()) {
      throw Invalid("The expiry date must be in the future.", [
        { path: "expiresOn", message: "Choose a date in the future." },
      ]);
    }
    if (day.getTime() - now.getTime() > (max + 1) * DAY_MS) throw tooLong("expiresOn");
    return day;
  }
  const days = Number(input.expiration);
  if (days > max) throw tooLong("expiration");
  return new Date(now.getTime() + days * DAY_MS);
}

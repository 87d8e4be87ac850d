import { getConfig } from "../config/env.ts";
import type { Mail } from "../mail/mailer.ts";
import type { RiskItem, RiskKey } from "../overview/risks.ts";

const day = (at: Date | null) => (at ? at.toISOString().slice(0, 10) : null);

/** Why an item is in the digest, in the owner's terms, with its date when it has one. */
function why(item: RiskItem, idleDays: number): string {
  const at = day(item.at);
  const reasons: Partial<Record<RiskKey, string>> = {
    "tokens.expiring": `expires on ${at ?? "a date within 7 days"}: whatever uses it stops working then`,
    "clients.expiring": `its secret expires on ${at ?? "a date within 7 days"}: it gets no tokens after that`,
    "tokens.idle": `unused since ${at ?? `more than ${idleDays} days`}`,
    "clients.idle": `unused since ${at ?? `more than ${idleDays} days`}`,
    "tokens.never_used": `never used since it was made${at ? ` on ${at}` : ""}`,
    "clients.never_used": `never used since it was registered${at ? ` on ${at}` : ""}`,
  };
  if (item.risk === "tokens.over_scoped" || item.risk === "clients.over_scoped") {
    const unused = item.unused?.length ? item.unused.join(", ") : "some";
    const used = item.used?.length ? ` (it used only ${item.used.join(", ")})` : "";
    return `holds permissions it did not use in ${idleDays} days: ${unused}${used}`;
  }
  return reasons[item.risk] ?? item.risk;
}

/** Where the owner acts on it: their tokens page (tokens have no page of their own), or the client's. */
function where(item: RiskItem): string {
  const path = item.targetKind === "client" ? `/clients/${encodeURIComponent(item.targetId)}` : "/tokens";
  return new URL(path, getConfig().publicUrl).href;
}

/**
 * One owner's weekly digest: each credential once, by name, with every reason it is listed and the
 * page to act on it. Names and permission names only: no secret, no fragment, no one-time link.
 */
export function digestMail(input: {
  to: { email: string; name: string };
  items: readonly RiskItem[];
  week: string;
  idleDays: number;
}): Mail {
  const byCredential = new Map<string, RiskItem[]>();
  for (const item of input.items) {
    const key = `${item.targetKind} ${item.targetId}`;
    byCredential.set(key, [...(byCredential.get(key) ?? []), item]);
  }
  const entries = [...byCredential.values()].flatMap((items) => {
    const first = items[0];
    if (!first) return [];
    const kind = first.targetKind === "client" ? "API client" : "Personal token";
    return [
      `- ${kind} "${first.name}": ${items.map((item) => why(item, input.idleDays)).join("; ")}.`,
      `  Act on it at ${where(first)}`,
    ];
  });
  const count = byCredential.size;
  const account = new URL("/account", getConfig().publicUrl).href;
  const text = [
    `Hello ${input.to.name || input.to.email},`,
    "",
    `${count === 1 ? "One of your Keyward credentials needs" : `${count} of your Keyward credentials need`} a look this week (${input.week}):`,
    "",
    ...entries,
    "",
    "Revoke what nobody uses any more, narrow what holds more than it uses, and rotate or replace what is about to expire.",
    "",
    `Keyward sends this weekly, only when there is something to say. To stop it, turn off the weekly credential digest at ${account}.`,
  ].join("\n");
  return {
    to: input.to.email,
    subject: `Keyward: ${count === 1 ? "a credential of yours needs" : `${count} credentials of yours need`} attention`,
    text,
  };
}

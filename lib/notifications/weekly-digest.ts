import { SYSTEM_CONTEXT } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { isoWeek } from "../jobs/periods.ts";
import { periodClaimed, runOncePer } from "../jobs/run-once.ts";
import { mailConfigured, sendMail } from "../mail/mailer.ts";
import { digestItems } from "../overview/credential-risks.ts";
import { getSettings } from "../settings/settings.ts";
import { digestMail } from "./digest-mail.ts";
import { logSafe } from "../jobs/log.ts";

export const DIGEST_JOB = "weekly-digest";

export type DigestResult = { week: string; ran: boolean; emails: number; failed: number };

/**
 * The weekly digest (issue 17): once per ISO week across all instances, due from Monday 00:00 UTC,
 * one email to each active owner who kept it on and has something to say. Without SMTP nothing is
 * claimed, so configuring mail mid-week still sends that week's.
 *
 * Once means at most once: the week is claimed before anything is sent, and a mail that fails is
 * counted, not retried (a retry could not tell who already got theirs).
 */
export async function sendWeeklyDigest(now: Date): Promise<DigestResult> {
  const week = isoWeek(now);
  let emails = 0;
  let failed = 0;
  if (!mailConfigured() || (await periodClaimed(DIGEST_JOB, week)))
    return { week, ran: false, emails, failed };
  const outcome = await runOncePer(DIGEST_JOB, week, async () => {
    const [items, settings] = await Promise.all([digestItems(now), getSettings(db)]);
    const owners = await db.user.findMany({
      where: { id: { in: [...items.keys()] }, status: "active", credentialDigest: true },
      select: { id: true, email: true, name: true },
      orderBy: { id: "asc" },
    });
    for (const owner of owners) {
      const mine = items.get(owner.id) ?? [];
      if (mine.length === 0) continue;
      try {
        await sendMail(digestMail({ to: owner, items: mine, week, idleDays: settings.idleCredentialDays }));
        emails++;
      } catch (error) {
        failed++;
        logSafe(`[jobs] the weekly digest to user ${owner.id} was not sent`, error);
      }
    }
    return {
      summary: `${emails} emails sent${failed ? `, ${failed} failed` : ""}`,
      audit: {
        action: "notification.digest_sent",
        actor: { kind: "system", display: "keyward" },
        outcome: failed > 0 && emails === 0 ? "failure" : "success",
        context: SYSTEM_CONTEXT,
        details: { week, emails, failed },
      },
    };
  });
  return { week, ran: outcome.ran, emails, failed };
}

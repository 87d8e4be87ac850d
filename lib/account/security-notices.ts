import type { Principal, RequestContext } from "../auth/principal.ts";
import { describeUserAgent } from "../auth/user-agent.ts";
import { db } from "../db/client.ts";
import { accountNoticeMail, emailChangedMail } from "../mail/account-notice-mail.ts";
import { mailInBackground, settleBackgroundMail } from "../mail/background-mail.ts";
import { mailConfigured, sendMail, type Mail } from "../mail/mailer.ts";
import { SECURITY_EVENT_TITLES, type SecurityEventAction } from "./security-events.ts";

/**
 * Mail about changes to an account, sent after the change has committed and never able to fail
 * it: the work runs in the background, and a refused or unreachable mail server is only logged.
 */
const inBackground = (context: RequestContext, work: () => Promise<void>) =>
  mailInBackground("an account notice", context, work);

/** For tests and shutdown: resolves when every notice started so far has been sent or given up. */
export const settleAccountNotices = settleBackgroundMail;

/**
 * Whether the browser behind this session is new to the account.
 *
 * Decided from the session's own data, not from the device cookie (lib/auth/sign-in/device-cookie.ts):
 * that cookie is sent only to the sign-in endpoints (Path=/api/auth/sign-in), and what it showed at
 * sign-in is kept nowhere after. The browser is known when the request still presents the user
 * agent its session signed in with, and an earlier session of this account (one that began before
 * this one; a re-authentication keeps the creation time, so it is not "earlier") signed in with
 * that same user agent. Anything else is new: a first sign-in from this browser, a session cookie
 * replayed by a different browser. A user agent is neither secret nor unique, so this only decides
 * whether to tell the owner, never whether to allow anything; sessions that are later pruned only
 * make more browsers count as new (more mail, never less).
 */
export async function isNewBrowser(
  sessionId: string,
  userId: string,
  context: RequestContext,
): Promise<boolean> {
  const session = await db.session.findUnique({
    where: { id: sessionId },
    select: { userId: true, createdAt: true, userAgent: true },
  });
  if (!session || session.userId !== userId || !session.userAgent) return true;
  if (context.userAgent.slice(0, 512) !== session.userAgent) return true;
  const earlier = await db.session.findFirst({
    where: { userId, userAgent: session.userAgent, createdAt: { lt: session.createdAt } },
    select: { id: true },
  });
  return earlier === null;
}

function whoLabel(actor: Principal | null): string {
  if (!actor) return "Someone with a link";
  switch (actor.kind) {
    case "user":
      return actor.name;
    case "token":
      return `${actor.name}, with the API token “${actor.tokenName}”`;
    case "client":
      return `the API client “${actor.clientName}”`;
  }
}

async function sendIfConfigured(mail: Mail): Promise<void> {
  if (mailConfigured()) await sendMail(mail);
}

/**
 * Tells the user by mail (when SMTP is set up) about a change to their account that someone else
 * made, or that they made themselves from a browser new to the account or through an API
 * credential. Call it after the change's transaction has committed.
 */
export function noticeAccountChange(input: {
  userId: string;
  /** Who made the change; null when no principal did (a one-time link). */
  actor: Principal | null;
  action: SecurityEventAction;
  /** When the catalog's title is too general for this change ("Email changed"). */
  title?: string;
  detail?: string;
  context: RequestContext;
}): void {
  if (!mailConfigured()) return;
  const at = new Date();
  inBackground(input.context, async () => {
    const { actor } = input;
    let by = whoLabel(actor);
    const own = (actor?.kind === "user" || actor?.kind === "token") && actor.userId === input.userId;
    if (actor?.kind === "user" && own) {
      if (!(await isNewBrowser(actor.sessionId, input.userId, input.context))) return;
      by = "You, from a browser not used on your account before";
    } else if (actor?.kind === "token" && own) {
      by = `You, with the API token “${actor.tokenName}”`;
    }
    const user = await db.user.findUnique({ where: { id: input.userId }, select: { email: true } });
    if (!user) return;
    // Where it came from helps the user recognise (or not) their own device; an administrator's
    // address is not theirs to see.
    const from = (
      own
        ? [
            input.context.userAgent ? describeUserAgent(input.context.userAgent) : "",
            input.context.ip ? `IP address ${input.context.ip}` : "",
          ]
        : []
    )
      .filter(Boolean)
      .join(", ");
    await sendIfConfigured(
      accountNoticeMail({
        to: user.email,
        title: input.title ?? SECURITY_EVENT_TITLES[input.action],
        detail: input.detail ?? "",
        by,
        from,
        at,
      }),
    );
  });
}

/** The old address hears that reset links no longer go to it, whoever made the change. */
export function noticeEmailChanged(input: {
  oldEmail: string;
  newEmail: string;
  actor: Principal;
  context: RequestContext;
}): void {
  if (!mailConfigured()) return;
  const at = new Date();
  inBackground(input.context, () =>
    sendIfConfigured(
      emailChangedMail({ to: input.oldEmail, newEmail: input.newEmail, by: whoLabel(input.actor), at }),
    ),
  );
}

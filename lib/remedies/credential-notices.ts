import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import {
  credentialChangedMail,
  type CredentialChange,
  type MailedCredential,
} from "../mail/credential-notice-mail.ts";
import { mailInBackground, settleBackgroundMail } from "../mail/background-mail.ts";
import { mailConfigured, sendMail } from "../mail/mailer.ts";

/**
 * The owner of a token or client hears (with SMTP) when someone else revoked, narrowed, disabled
 * or deleted it (issue 17). Called after the change has committed; the mail goes out in the
 * background and can never fail the change: a refused or unreachable mail server is only logged,
 * with the request id and no secret.
 */
const inBackground = (context: RequestContext, work: () => Promise<void>) =>
  mailInBackground("a credential notice", context, work);

/** For tests and shutdown: resolves when every notice started so far has been sent or given up. */
export const settleCredentialNotices = settleBackgroundMail;

/** How the one who acted is named to the owner: a person, with the credential they used. */
export function actorLabel(actor: Principal): string {
  switch (actor.kind) {
    case "user":
      return `${actor.name} (${actor.email})`;
    case "token":
      return `${actor.name} (${actor.email}), with the API token “${actor.tokenName}”`;
    case "client":
      return `the API client “${actor.clientName}”`;
  }
}

/**
 * Tells the credential's owner what someone else did to it. Nothing when mail is not configured,
 * when the credential has no owner, when the owner is not active (disabled, invited, gone), or when
 * the one who acted answers to the owner (their session, or one of their own credentials).
 */
export function noticeCredentialChange(input: {
  credential: MailedCredential;
  ownerId: string | null;
  actor: Principal;
  change: CredentialChange;
  context: RequestContext;
}): void {
  const { ownerId } = input;
  if (!mailConfigured() || !ownerId || accountableUserId(input.actor) === ownerId) return;
  const at = new Date();
  const by = actorLabel(input.actor);
  inBackground(input.context, async () => {
    const owner = await db.user.findUnique({ where: { id: ownerId }, select: { email: true, status: true } });
    if (owner?.status !== "active") return;
    await sendMail(
      credentialChangedMail({ to: owner.email, credential: input.credential, change: input.change, by, at }),
    );
  });
}

/** The common part of a notice, from a credential row and the call that changed it (for the hooks in lib/tokens and lib/clients). */
export function credentialNotice(
  kind: MailedCredential["kind"],
  credential: { id: string; name: string },
  ownerId: string | null,
  call: { actor: Principal; context: RequestContext },
): { credential: MailedCredential; ownerId: string | null; actor: Principal; context: RequestContext } {
  return {
    credential: { kind, id: credential.id, name: credential.name },
    ownerId,
    actor: call.actor,
    context: call.context,
  };
}

import { getConfig } from "../config/env.ts";
import type { Mail } from "./mailer.ts";

/**
 * Mail to the owner of a personal token or API client (issue 17): a reminder that it is on a risk
 * list of the security overview, and a notice when someone else revoked, narrowed, disabled or
 * deleted it. Each names the credential, says what happened or why, who did it, and what to do,
 * with the address of the page where the owner manages it (which asks for a sign-in). Never a
 * secret, a secret's fragment or a one-time link.
 */
export type MailedCredential = { kind: "token" | "client"; id: string; name: string };

const when = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const day = (at: Date) => at.toISOString().slice(0, 10);

const KIND_LABEL = { token: "personal API token", client: "API client" } as const;

/** Where the owner manages it: their tokens, or the client's page (the list once it is gone). */
export function credentialPageUrl(credential: MailedCredential, gone = false): string {
  const path =
    credential.kind === "token"
      ? "/tokens"
      : gone
        ? "/clients"
        : `/clients/${encodeURIComponent(credential.id)}`;
  return new URL(path, getConfig().publicUrl).href;
}

/** A name as typed by a person, on one line: a name with a line break could forge lines of the mail. */
const oneLine = (text: string) =>
  text
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .trim()
    .slice(0, 200);

const quoted = (credential: MailedCredential) =>
  `the ${KIND_LABEL[credential.kind]} “${oneLine(credential.name)}”`;

/** "Remind the owner": why the credential is on the list and what to do about it. */
export function credentialReminderMail(input: {
  to: string;
  credential: MailedCredential;
  /** The risk list's heading and its one sentence (lib/overview/risks.ts). */
  risk: { label: string; description: string };
  /** Facts that place it on the list: created, last used, expires. */
  facts: { createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null };
  by: string;
  at: Date;
}): Mail {
  const { credential, facts } = input;
  const todo =
    credential.kind === "token"
      ? "Revoke it if nothing needs it any more; otherwise give it an expiry, or mint a narrower token and revoke this one."
      : "Disable it if nothing needs it any more; otherwise rotate its secret, or narrow what it may do.";
  const lines = [
    `An administrator asked you to look at ${quoted(credential)}, which you own.`,
    "",
    `Why: it is on the security overview's list “${input.risk.label}”.`,
    input.risk.description,
    "",
    `Created: ${day(facts.createdAt)}`,
    `Last used: ${facts.lastUsedAt ? day(facts.lastUsedAt) : "never"}`,
    `Expires: ${facts.expiresAt ? day(facts.expiresAt) : "never"}`,
    "",
    `What to do: ${todo}`,
    `Manage it at ${credentialPageUrl(credential)} (sign in first).`,
    "",
    `Sent by: ${oneLine(input.by)}, ${when(input.at)}`,
    "If you believe the risk is acceptable, tell them why: an administrator can accept it until a date.",
  ];
  return {
    to: input.to,
    subject: `Keyward: please review your ${KIND_LABEL[credential.kind]} “${oneLine(credential.name)}”`,
    text: lines.join("\n"),
  };
}

/** What someone other than the owner did to the credential. */
export type CredentialChange =
  | { change: "revoked" }
  | { change: "narrowed"; kept: readonly string[]; removed: readonly string[] }
  | { change: "expiry_set"; expiresAt: Date }
  | { change: "disabled" }
  | { change: "deleted" };

const CHANGE_TITLE = {
  revoked: "was revoked",
  narrowed: "was narrowed to the permissions it used",
  expiry_set: "was given an expiry",
  disabled: "was disabled",
  deleted: "was deleted",
} as const;

function changeLines(credential: MailedCredential, change: CredentialChange): string[] {
  switch (change.change) {
    case "revoked":
      return [
        "It no longer works: every request that presents it is refused.",
        "",
        "What to do: if something still needs it, mint a new token and put it in place of this one; ask whoever revoked it why first.",
      ];
    case "narrowed":
      return [
        "The same secret keeps working for the permissions it used recently, and is refused the rest.",
        `Kept: ${change.kept.join(", ") || "none"}`,
        `Removed: ${change.removed.join(", ") || "none"}`,
        "",
        credential.kind === "token"
          ? "What to do: nothing, if what uses it needs only the kept permissions. If it needs a removed one, mint a new token with it and revoke this one."
          : "What to do: nothing, if what uses it needs only the kept permissions. If it needs a removed one, ask an administrator to allow it again.",
      ];
    case "expiry_set":
      return [
        credential.kind === "token"
          ? `It stops working at ${when(change.expiresAt)}.`
          : `Its current secret stops working at ${when(change.expiresAt)}.`,
        "",
        credential.kind === "token"
          ? "What to do: if something still needs it after then, mint a new token and put it in place of this one before that date."
          : "What to do: rotate the client's secret before that date and put the new one in place.",
      ];
    case "disabled":
      return [
        "It gets no new access tokens, and the ones it holds are refused.",
        "",
        "What to do: if something still needs it, ask whoever disabled it, or an administrator, to enable it again.",
      ];
    case "deleted":
      return [
        "It is gone: its secret and the access tokens it held no longer work.",
        "",
        "What to do: if something still needs it, register a new client and put its secret in place of the old one.",
      ];
  }
}

/** "Someone else revoked, narrowed, disabled or deleted your credential." */
export function credentialChangedMail(input: {
  to: string;
  credential: MailedCredential;
  change: CredentialChange;
  by: string;
  at: Date;
}): Mail {
  const { credential, change } = input;
  const title = `${quoted(credential)} ${CHANGE_TITLE[change.change]}`;
  const lines = [
    `${title.charAt(0).toUpperCase()}${title.slice(1)}: you own it, and someone else made this change.`,
    "",
    `Who: ${oneLine(input.by)}`,
    `When: ${when(input.at)}`,
    "",
    ...changeLines(credential, change),
    `Your ${credential.kind === "token" ? "tokens" : "clients"}: ${credentialPageUrl(credential, change.change === "deleted")} (sign in first).`,
    "",
    "If you did not expect this, ask them or your administrator.",
  ];
  return {
    to: input.to,
    subject: `Keyward: your ${KIND_LABEL[credential.kind]} “${oneLine(credential.name)}” ${CHANGE_TITLE[change.change]}`,
    text: lines.join("\n"),
  };
}

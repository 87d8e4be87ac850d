import { getConfig } from "../config/env.ts";
import type { Mail } from "./mailer.ts";

const when = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * "Something changed on your account": what, by whom, when and from where. It holds no secret and
 * no one-time link: only the address of the Security page, which asks for a sign-in.
 */
export function accountNoticeMail(input: {
  to: string;
  title: string;
  detail: string;
  by: string;
  from: string;
  at: Date;
}): Mail {
  const security = new URL("/account/security", getConfig().publicUrl).href;
  const lines = [
    "A change was made to how your Keyward account signs in or what it may do.",
    "",
    `What: ${input.title}${input.detail ? ` (${input.detail})` : ""}`,
    `Who: ${input.by}`,
    `When: ${when(input.at)}`,
    ...(input.from ? [`From: ${input.from}`] : []),
    "",
    "If this was you, there is nothing to do.",
    `If it was not, sign in and review your account at ${security}, change your password, and tell your administrator.`,
  ];
  return { to: input.to, subject: `Keyward: ${input.title}`, text: lines.join("\n") };
}

/** To the address an account had before: it is no longer where reset links go. */
export function emailChangedMail(input: { to: string; newEmail: string; by: string; at: Date }): Mail {
  return {
    to: input.to,
    subject: "Keyward: the email address of your account was changed",
    text: [
      `The email address of your Keyward account was changed from ${input.to} to ${input.newEmail}.`,
      "",
      `Who: ${input.by}`,
      `When: ${when(input.at)}`,
      "",
      "From now on, sign-in notices and password-reset links go to the new address.",
      "If you did not expect this, tell your administrator at once: whoever controls the new address can reset your password.",
    ].join("\n"),
  };
}

import nodemailer, { type Transporter } from "nodemailer";

import { getConfig } from "../config/env.ts";

/**
 * Outgoing mail over SMTP (SMTP_URL). Optional: without it Keyward shows one-time links to the
 * administrator instead, so a fresh install works with no mail server.
 */
export type Mail = { to: string; subject: string; text: string };

let transport: { url: string; transporter: Transporter } | undefined;

export function mailConfigured(): boolean {
  return getConfig().smtpUrl !== undefined;
}

function transporter(url: string): Transporter {
  if (transport?.url !== url) {
    transport = {
      url,
      // Short timeouts: a request that sends mail must not hang on an unreachable server.
      transporter: nodemailer.createTransport(url, {
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    };
  }
  return transport.transporter;
}

export async function sendMail(mail: Mail): Promise<void> {
  const { smtpUrl, mailFrom } = getConfig();
  if (!smtpUrl) throw new Error("SMTP_URL is not set");
  await transporter(smtpUrl).sendMail({ from: mailFrom, ...mail });
}

/**
 * Sends without making the caller wait or fail: the answer to "send me a reset link" must not
 * depend on the mail server (or reveal, by its timing, whether a message went out). Failures are
 * logged without the message body, which holds the secret.
 */
export function sendMailInBackground(mail: Mail, requestId: string): void {
  sendMail(mail).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[${requestId}] could not send "${mail.subject}": ${reason}`);
  });
}

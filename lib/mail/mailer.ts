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

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function transporter(url: string): Transporter {
  if (transport?.url !== url) {
    // Reset links are credentials: over smtp:// to another machine, STARTTLS is required (a
    // network attacker could otherwise strip it); smtps:// is TLS from the start; a relay on this
    // machine may speak plain SMTP.
    const { protocol, hostname } = new URL(url);
    transport = {
      url,
      transporter: nodemailer.createTransport(url, {
        requireTLS: protocol === "smtp:" && !LOOPBACK.has(hostname),
        // Short timeouts: a request that sends mail must not hang on an unreachable server.
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

import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { SMTPServer } from "smtp-server";

import { resetConfigForTests } from "../lib/config/env.ts";

export type ReceivedMail = { from: string; to: string[]; raw: string };

/** Recipients at this domain are refused (550), to exercise what happens when mail cannot go out. */
export const BOUNCE_DOMAIN = "bounce.example.test";

/**
 * A real SMTP server on a free local port that keeps what it receives: the mail path is exercised
 * over the wire, nothing about our own sending is stubbed. In process for integration tests (it
 * points SMTP_URL at itself), or for the browser tests' server, writing each message to `dir`.
 */
export async function startMailbox(options: { dir?: string; setEnv?: boolean } = {}) {
  const setEnv = options.setEnv ?? true;
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase().endsWith(`@${BOUNCE_DOMAIN}`)) {
        callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        };
        received.push(mail);
        if (options.dir) {
          fs.writeFileSync(
            path.join(options.dir, `${Date.now()}-${received.length}.json`),
            JSON.stringify(mail),
          );
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const url = `smtp://127.0.0.1:${port}`;
  if (setEnv) {
    process.env.SMTP_URL = url;
    resetConfigForTests();
  }
  return {
    url,
    received,
    /** Waits for the nth message (mail may be sent in the background). */
    async nth(n: number, timeoutMs = 5_000): Promise<ReceivedMail> {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} messages, got ${received.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received[n - 1] as ReceivedMail;
    },
    async stop() {
      if (setEnv) {
        delete process.env.SMTP_URL;
        resetConfigForTests();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The one-time link in a message (quoted-printable may wrap long lines with "=\r\n"). */
export function linkIn(mail: ReceivedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const match = /https?:\/\/\S+#[\w-]+/.exec(body);
  if (!match) throw new Error("no link in the message");
  return match[0];
}

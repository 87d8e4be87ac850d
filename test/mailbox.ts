import type { AddressInfo } from "node:net";

import { SMTPServer } from "smtp-server";

import { resetConfigForTests } from "../lib/config/env.ts";

export type ReceivedMail = { from: string; to: string[]; raw: string };

/**
 * A real SMTP server on a free local port that keeps what it receives, and SMTP_URL pointed at it:
 * the mail path is exercised over the wire, nothing about our own sending is stubbed.
 */
export async function startMailbox() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  resetConfigForTests();
  return {
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
      delete process.env.SMTP_URL;
      resetConfigForTests();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The reset link in a message (quoted-printable may wrap long lines with "=\r\n"). */
export function linkIn(mail: ReceivedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const match = /https?:\/\/\S+#[\w-]+/.exec(body);
  if (!match) throw new Error("no link in the message");
  return match[0];
}

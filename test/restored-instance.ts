// A fresh Keyward process on a restored database (scripts/backup-restore.int.test.ts runs it as a
// child with DATABASE_URL and KEYWARD_ENCRYPTION_KEY set): it does what an instance started on the
// restore would do first, through the real functions and route handlers, and prints one JSON line
// with each answer or the error it ended in. A fresh process, so no cache of the process that made
// the data can answer for the restored database.
import { decodeProtectedHeader } from "jose";
import { generate } from "otplib";

import * as me from "../app/api/v1/me/route.ts";
import { getConfig } from "../lib/config/env.ts";
import { stopChangeFeed } from "../lib/credentials/change-feed.ts";
import { closeDb } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { verifyUserTotp } from "../lib/mfa/verify-user-totp.ts";
import { verifyAccessToken } from "../lib/oauth/verify-access-token.ts";
import { requestClientToken } from "./credentials.ts";
import { call } from "./requests.ts";

/** What the rehearsal made before the backup, handed over in KEYWARD_REHEARSAL_INPUT. */
export type RehearsalInput = {
  userId: string;
  totpSecret: string;
  token: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
};

export type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

const input = JSON.parse(process.env.KEYWARD_REHEARSAL_INPUT ?? "{}") as RehearsalInput;
const results: Record<string, Outcome> = {};

async function check(name: string, run: () => Promise<unknown>): Promise<void> {
  try {
    results[name] = { ok: true, value: await run() };
  } catch (error) {
    results[name] = {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

type Handler = Parameters<typeof call>[0];

// `npm start` migrates first: a restore that lost Prisma's bookkeeping would apply (or fail) here.
await check("migrations", () => applyMigrations({ url: getConfig().databaseUrl ?? "" }));
await check("personalToken", async () => {
  const answer = await call(me.GET as unknown as Handler, { bearer: input.token });
  return { status: answer.status, id: answer.body.id };
});
await check("earlierAccessToken", async () => (await verifyAccessToken(input.accessToken))?.usable ?? null);
await check("newAccessToken", async () => {
  const answer = await requestClientToken(input.clientId, input.clientSecret);
  if (answer.status !== 200) return { status: answer.status, error: answer.body.error };
  const jwt = String(answer.body.access_token);
  return {
    status: answer.status,
    kid: decodeProtectedHeader(jwt).kid,
    usable: (await verifyAccessToken(jwt))?.usable ?? null,
  };
});
await check("totp", async () =>
  verifyUserTotp(
    input.userId,
    await generate({ secret: input.totpSecret, epoch: Math.floor(Date.now() / 1000) }),
  ),
);

process.stdout.write(`${JSON.stringify(results)}\n`);
await stopChangeFeed();
await closeDb();
process.exit(0);

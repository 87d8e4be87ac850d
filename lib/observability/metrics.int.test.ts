import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { clientAccessToken, developerWith, makeTestClient } from "../../test/credentials.ts";
import { makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { SIGN_IN_PER_ACCOUNT } from "../auth/sign-in-limits.ts";
import { db, dbPool } from "../db/client.ts";
import { verifyAccessToken } from "../oauth/verify-access-token.ts";
import { metricsText } from "./metrics.ts";

// Guarantee: the domain's own code paths move the metrics (no test double in between): a wrong
// password, a lockout, every database checkout, and the pool's gauges read the real pool.

async function sample(series: string): Promise<number> {
  const { body } = await metricsText();
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("metrics from the real code paths", () => {
  it("counts a wrong password, then the account limiter's refusal and the lockout", async () => {
    const user = await makeUser();
    const context = { ...TEST_CONTEXT, ip: `198.51.100.${randomBytes(1)[0]}` };
    const failures = await sample('keyward_sign_ins_total{outcome="failure"}');
    const locked = await sample('keyward_sign_ins_total{outcome="locked"}');
    const rejections = await sample('keyward_limiter_rejections_total{limiter="signin_account"}');
    for (let i = 0; i < SIGN_IN_PER_ACCOUNT.points + 2; i++) {
      await startPasswordSignIn({ email: user.email, password: "wrong password here", context }).catch(
        () => undefined,
      );
    }
    expect((await sample('keyward_sign_ins_total{outcome="failure"}')) - failures).toBe(
      SIGN_IN_PER_ACCOUNT.points,
    );
    expect((await sample('keyward_limiter_rejections_total{limiter="signin_account"}')) - rejections).toBe(2);
    // One lock window, however many refusals in it.
    expect((await sample('keyward_sign_ins_total{outcome="locked"}')) - locked).toBe(1);
  });

  it("times each wait for a connection and reports the pool's size", async () => {
    const before = await sample("keyward_db_pool_wait_seconds_count");
    await db.user.count();
    await Promise.all(Array.from({ length: 5 }, () => dbPool().query("SELECT pg_sleep(0.01)")));
    await db.$transaction(async (tx) => tx.user.count());
    expect((await sample("keyward_db_pool_wait_seconds_count")) - before).toBeGreaterThanOrEqual(7);
    expect(await sample("keyward_db_pool_connections")).toBe(dbPool().totalCount);
    expect(await sample("keyward_db_pool_connections")).toBeGreaterThan(0);
    expect(await sample("keyward_db_pool_waiting_requests")).toBe(0);
  });

  it("counts a client credentials issuance, the secret checked for it, and the token's verifications", async () => {
    const owner = await developerWith(["users.read"]);
    const client = await makeTestClient(owner.principal, ["users.read"]);
    const series = {
      issued: 'keyward_tokens_issued_total{grant_type="client_credentials"}',
      secret: 'keyward_credential_verifications_total{kind="client_secret",outcome="valid"}',
      valid: 'keyward_credential_verifications_total{kind="access_token",outcome="valid"}',
      invalid: 'keyward_credential_verifications_total{kind="access_token",outcome="invalid"}',
    };
    const before = Object.fromEntries(
      await Promise.all(Object.entries(series).map(async ([key, name]) => [key, await sample(name)])),
    ) as Record<keyof typeof series, number>;
    const token = await clientAccessToken(client.clientId, client.clientSecret);
    expect((await verifyAccessToken(token))?.usable).toBe(true);
    expect(await verifyAccessToken(`${token.slice(0, -4)}AAAA`)).toBeNull();
    expect((await sample(series.issued)) - before.issued).toBe(1);
    expect((await sample(series.secret)) - before.secret).toBe(1);
    expect((await sample(series.valid)) - before.valid).toBe(1);
    expect((await sample(series.invalid)) - before.invalid).toBe(1);
  });
});

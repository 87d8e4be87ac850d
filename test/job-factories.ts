import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";

/** Data the background jobs' tests need: second factors, sign-in counters, an empty slate. */

export async function giveTotp(userId: string, options: { activated?: boolean } = {}) {
  await db.totpFactor.create({
    data: {
      id: newId("tf"),
      userId,
      name: "Phone",
      secretEnc: "x",
      activatedAt: options.activated === false ? null : new Date(),
    },
  });
}

export async function givePasskey(userId: string) {
  await db.webAuthnCredential.create({
    data: {
      id: newId("wa"),
      userId,
      credentialId: newId("cred"),
      publicKey: Buffer.from([1, 2, 3]),
      transports: [],
      deviceType: "singleDevice",
      name: "Key",
    },
  });
}

/** Adds to an hour's counter, as lib/auth's batched flush would. */
export async function countSignIns(
  hour: Date,
  kind: "sign_in" | "password_failed" | "lockout" | "second_factor_failed",
  count: number,
  dimension: "total" | "source" | "account" = "total",
  value = "",
) {
  const start = new Date(Math.floor(hour.getTime() / 3_600_000) * 3_600_000);
  await db.signInCount.upsert({
    where: { hour_kind_dimension_value: { hour: start, kind, dimension, value } },
    create: { hour: start, kind, dimension, value, count },
    update: { count: { increment: count } },
  });
}

/** Every user suspended out of the way (a file's earlier tests made some), for counts with a known answer. */
export async function disableEveryone() {
  await db.user.updateMany({ where: { status: "active" }, data: { status: "disabled" } });
}

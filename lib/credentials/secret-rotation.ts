import { z } from "zod";

/** How long a rotated-out secret keeps working (minutes; default none, at most 7 days). */
export const overlapMinutesSchema = z.coerce
  .number({ error: "Enter the overlap in minutes." })
  .int("Whole minutes.")
  .min(0, "The overlap cannot be negative.")
  .max(7 * 24 * 60, "The overlap is at most 7 days.")
  .default(0);

/** The secrets table of a token or a client, narrowed to what rotation needs. */
type SecretTable = {
  updateMany(args: { where: object; data: { expiresAt: Date } }): Promise<unknown>;
  deleteMany(args: { where: object }): Promise<unknown>;
};

/**
 * Retires a credential's current secrets before a new one is added: at once (no overlap), or at the
 * end of the overlap (never later than an earlier overlap already set). Returns when they stop.
 */
export async function retireSecrets(
  table: SecretTable,
  owner: { tokenId: string } | { clientId: string } | { credentialId: string } | { appId: string },
  overlapMinutes: number,
  now: Date,
): Promise<Date | null> {
  if (overlapMinutes === 0) {
    await table.deleteMany({ where: owner });
    return null;
  }
  const ends = new Date(now.getTime() + overlapMinutes * 60_000);
  await table.updateMany({
    where: { ...owner, OR: [{ expiresAt: null }, { expiresAt: { gt: ends } }] },
    data: { expiresAt: ends },
  });
  await table.deleteMany({ where: { ...owner, expiresAt: { lte: now } } });
  return ends;
}

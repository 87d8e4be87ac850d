import { z } from "zod";

import { RISK_KEYS, type RiskKey } from "./risks.ts";

/** A risk list's key in a path or query: one of lib/overview/risks.ts, nothing else. */
export const riskKeySchema = z
  .enum(RISK_KEYS as [RiskKey, ...RiskKey[]], { error: "Choose a risk list." })
  .describe("A risk list's key, e.g. tokens.idle.");

export const riskRefSchema = z.object({ risk: riskKeySchema });

export const listRiskSchema = z.object({
  after: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, "Not a cursor from this list.")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListRiskInput = z.infer<typeof listRiskSchema>;

const count = z.number().int().min(0);
const counts = z.object({ signIns: count, failed: count, lockouts: count, secondFactorFailed: count });
const ranked = z.array(z.object({ value: z.string(), count }));

export const riskItemResource = z.object({
  risk: riskKeySchema,
  targetKind: z.enum(["user", "token", "client"]),
  targetId: z.string(),
  name: z.string(),
  owner: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  at: z
    .string()
    .datetime()
    .nullable()
    .describe("The date the item is about: last use, expiry, secret age, last sign-in"),
  used: z.array(z.string()).optional().describe("Over-scoped lists: permissions used in the idle window"),
  unused: z.array(z.string()).optional().describe("Over-scoped lists: permissions held and not used"),
});

export const riskPageResource = z.object({
  items: z.array(riskItemResource),
  nextCursor: z.string().nullable(),
});

export const overviewResource = z.object({
  generatedAt: z
    .string()
    .datetime()
    .describe("When the counts were made: at most 30 s ago, or since the last change"),
  window: z.object({ idleDays: count, rotationDays: count, dormantDays: count }),
  /** Each list the caller may read (its read permission), with how many items it holds now. */
  risks: z.array(
    z.object({
      risk: riskKeySchema,
      label: z.string(),
      count,
      targetKind: z.enum(["user", "token", "client"]),
    }),
  ),
  mfa: z
    .object({
      activeUsers: count,
      withFactor: count,
      share: z.number().min(0).max(1),
      administrators: count,
      administratorsWithFactor: count,
      writeHolders: count,
      writeHoldersWithFactor: count,
      perRole: z.array(
        z.object({
          roleId: z.string(),
          name: z.string(),
          requiresMfa: z.boolean(),
          activeUsers: count,
          withFactor: count,
        }),
      ),
    })
    .nullable(),
  signingKeys: z
    .object({ activeSince: z.string().datetime().nullable(), ageDays: count, rotationDays: count })
    .nullable(),
  signIns: z.object({ last24h: counts, last30d: counts, topSources: ranked, topAccounts: ranked }).nullable(),
  recentChanges: z
    .array(
      z.object({
        id: z.string(),
        occurredAt: z.string().datetime(),
        action: z.string(),
        actor: z.string().nullable(),
        target: z.string().nullable(),
      }),
    )
    .nullable(),
  daily: z
    .array(
      z.object({
        day: z.string(),
        signIns: count.optional(),
        failures: count.optional(),
        mfaUsers: count.optional(),
        activeUsers: count.optional(),
      }),
    )
    .describe("The last 30 UTC days: sign-ins and failures (audit.read), MFA adoption (users.read)"),
});
export type OverviewResource = z.infer<typeof overviewResource>;

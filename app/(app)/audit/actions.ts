"use server";

import { z } from "zod";

import { verifyAuditLog } from "@/lib/audit/verify-audit-log";
import { formatHead } from "@/lib/audit/verify-chain";
import { AppError } from "@/lib/errors/app-error";
import { action } from "@/lib/http/action";

export const verifyAuditLogAction = action(
  { permission: "audit.read", schema: z.object({}) },
  async ({ principal, context }) => {
    const result = await verifyAuditLog(principal, context);
    const checked = `${result.checked.toLocaleString("en-US")} events checked`;
    const against = `${result.checkpoints.toLocaleString("en-US")} signed checkpoint(s) passed through`;
    if (!result.ok) {
      // Every problem is counted, and the first ten named (npm run audit:verify lists them all).
      const shown = result.problems.slice(0, 10);
      const listed = shown.map((p) => `event ${p.id.toString()}: ${p.reason}`).join("; ");
      const rest = result.problemCount - shown.length;
      const more =
        rest > 0 ? `; and ${rest.toLocaleString("en-US")} more (npm run audit:verify lists up to 1,000)` : "";
      throw new AppError(
        "conflict",
        `The chain is broken: ${result.problemCount.toLocaleString("en-US")} problem(s), ${checked}. ${listed}${more}.`,
      );
    }
    const head = result.head ? `; head ${formatHead(result.head)}` : "";
    return { message: `The chain is intact: ${checked}. ${against}${head}.` };
  },
);

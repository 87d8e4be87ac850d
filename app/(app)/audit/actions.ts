"use server";

import { z } from "zod";

import { verifyAuditLog } from "@/lib/audit/verify-audit-log";
import { AppError } from "@/lib/errors/app-error";
import { action } from "@/lib/http/action";

export const verifyAuditLogAction = action(
  { permission: "audit.read", schema: z.object({}) },
  async ({ principal, context }) => {
    const result = await verifyAuditLog(principal, context);
    if (!result.ok) {
      throw new AppError(
        "conflict",
        `The chain is broken at event ${result.firstBadId.toString()}: ${result.reason}. ${result.checked.toLocaleString("en-US")} events before it are intact.`,
      );
    }
    return { message: `The chain is intact: ${result.checked.toLocaleString("en-US")} events checked.` };
  },
);

import { SYSTEM_CONTEXT } from "../auth/principal.ts";
import { ConfigError, getConfig } from "../config/env.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { issueCode } from "../one-time-codes/one-time-codes.ts";
import { ensureBuiltInRoles } from "../roles/ensure-built-in-roles.ts";
import { emailSchema, nameSchema, newPasswordSchema } from "../users/schemas.ts";
import { createFirstAdmin } from "./create-first-admin.ts";
import { isSetupOpen } from "./setup-state.ts";

export const SETUP_CODE_TTL_SECONDS = 24 * 3600;

export type BootstrapResult =
  | { state: "ready" }
  | { state: "admin_created"; email: string }
  | { state: "awaiting_setup"; code: string; expiresAt: Date };

/**
 * Start-up tasks after migrations: built-in roles in step with the code, then the first
 * administrator from KEYWARD_ADMIN_EMAIL/PASSWORD, or else a fresh one-time setup code to print.
 */
export async function bootstrap(): Promise<BootstrapResult> {
  await ensureBuiltInRoles(db);
  if (!(await isSetupOpen(db))) return { state: "ready" };
  const config = getConfig();
  if (config.adminEmail || config.adminPassword) {
    const email = parseOrExplain(emailSchema, config.adminEmail, "KEYWARD_ADMIN_EMAIL");
    const password = parseOrExplain(newPasswordSchema, config.adminPassword, "KEYWARD_ADMIN_PASSWORD");
    const name = nameSchema.parse("Administrator");
    try {
      await db.$transaction((tx) =>
        createFirstAdmin(tx, {
          email,
          name,
          password,
          actor: { kind: "system", display: "environment" },
          context: SYSTEM_CONTEXT,
          via: "environment",
        }),
      );
    } catch (error) {
      if (error instanceof AppError) throw new ConfigError(`KEYWARD_ADMIN_PASSWORD: ${error.message}`);
      throw error;
    }
    return { state: "admin_created", email };
  }
  const issued = await db.$transaction((tx) =>
    issueCode(tx, { purpose: "setup", ttlSeconds: SETUP_CODE_TTL_SECONDS, format: "typed" }),
  );
  return { state: "awaiting_setup", code: issued.code, expiresAt: issued.expiresAt };
}

function parseOrExplain<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  name: string,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`${name}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { setSetting } from "../settings/settings.ts";
import { createUser } from "../users/create-user.ts";

/** Serialises setup across requests and instances. */
const SETUP_LOCK = 7_294_012;

/**
 * Creates an administrator and closes setup for good, in one transaction. With `onlyIfSetupOpen`
 * (the default: the setup page, the environment) it returns null when setup was already closed,
 * e.g. someone else finished first; the operator CLI (break-glass) creates one either way.
 */
export async function createFirstAdmin(
  tx: Tx,
  input: {
    email: string;
    name: string;
    password: string;
    actor: AuditActor;
    context: RequestContext;
    via: string;
    onlyIfSetupOpen?: boolean;
  },
): Promise<{ id: string } | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
  const closed = await tx.setting.findUnique({ where: { key: "setupCompletedAt" } });
  if (closed && input.onlyIfSetupOpen !== false) return null;
  const adminRoleId = await builtInRoleId(tx, "admin");
  const user = await createUser(tx, {
    email: input.email,
    name: input.name,
    password: input.password,
    status: "active",
    roleIds: [adminRoleId],
    actor: input.actor,
    context: input.context,
  });
  if (closed) return user;
  await setSetting(tx, "setupCompletedAt", new Date().toISOString(), user.id);
  await recordAudit(tx, {
    action: "setup.completed",
    actor: input.actor,
    target: { kind: "user", id: user.id, display: input.email },
    context: input.context,
    details: { via: input.via },
  });
  return user;
}

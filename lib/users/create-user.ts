import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import { newId } from "../crypto/ids.ts";
import { hashPassword } from "../crypto/password.ts";
import type { Tx } from "../db/client.ts";
import { Conflict } from "../errors/app-error.ts";
import type { UserStatus } from "../db/generated/enums.ts";
import { assertAcceptablePassword } from "./password-policy.ts";

export type CreateUserInput = {
  email: string;
  name: string;
  /** Absent for invited users, who choose their own. */
  password?: string;
  status: UserStatus;
  roleIds: string[];
  actor: AuditActor;
  context: RequestContext;
};

/** Creates a user with its roles and audit event, inside the caller's transaction. */
export async function createUser(tx: Tx, input: CreateUserInput): Promise<{ id: string }> {
  if (input.password !== undefined) assertAcceptablePassword(input.password, { email: input.email });
  const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw Conflict("A user with this email address already exists.");
  const id = newId("usr");
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  await tx.user.create({
    data: {
      id,
      email: input.email,
      name: input.name,
      status: input.status,
      password: passwordHash ? { create: { hash: passwordHash } } : undefined,
      roles: { create: input.roleIds.map((roleId) => ({ roleId, createdBy: input.actor.id ?? null })) },
    },
  });
  await recordAudit(tx, {
    action: "user.created",
    actor: input.actor,
    target: { kind: "user", id, display: input.email },
    context: input.context,
    details: { email: input.email, name: input.name, status: input.status, roleIds: input.roleIds },
  });
  return { id };
}

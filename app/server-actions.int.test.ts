import fs from "node:fs";
import path from "node:path";

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import type { ActionRequest, ServerAction } from "@/lib/http/action";
import { fieldsOf, hostileString } from "@/test/fuzz";
import { makeTestClient, mintTestToken } from "@/test/credentials";
import { makePrincipal, makeRole, signedInCookie } from "@/test/factories";

/**
 * Property-based fuzzing of every server action in process, through the same wrapper Next.js
 * calls (session, permission, schema, handler), as an Administrator with a fresh session so that
 * input reaches the handler. Properties: the action always answers with a state (never throws,
 * never an internal error), and an action that answered with an error wrote nothing (no success
 * event in the audit log carries its request id: every write is recorded in its transaction).
 */
const RUNS_PER_ACTION = 60;

function actionFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return actionFiles(full);
    return entry.name === "actions.ts" ? [full] : [];
  });
}

type Named = { name: string; action: ServerAction<unknown> };

async function allActions(): Promise<Named[]> {
  const found: Named[] = [];
  for (const file of actionFiles(import.meta.dirname).sort()) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === "function" && "run" in value) {
        found.push({
          name: `${path.relative(import.meta.dirname, file)}#${name}`,
          action: value as ServerAction<unknown>,
        });
      }
    }
  }
  return found;
}

const actions = await allActions();

/**
 * Values that reach past the schema: ids of real rows (a user, a role, a token, a client, a
 * session), permission names, checkbox values, plus everything hostile.
 */
async function realValues(): Promise<string[]> {
  const { user, principal } = await makePrincipal(["developer"]);
  const role = await makeRole(["users.read"]);
  const token = await mintTestToken(principal, ["clients.read"]);
  const client = await makeTestClient(principal, ["clients.read"]);
  const { sessionId } = await signedInCookie(user.id);
  return [
    user.id,
    user.email,
    role.id,
    token.id,
    client.clientId,
    sessionId,
    "users.read",
    "users.write",
    "on",
    "7",
    "30",
    "never",
  ];
}

function hostileForm(fields: string[], real: string[]) {
  const key =
    fields.length > 0
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...fields) },
          { weight: 1, arbitrary: hostileString },
        )
      : hostileString;
  const value = fc.oneof(
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom(...real) },
  );
  return fc.array(fc.tuple(key, value), { maxLength: fields.length + 3 });
}

function toForm(entries: [string, string][]): FormData {
  const form = new FormData();
  for (const [name, text] of entries) form.append(name, text);
  return form;
}

let cases = 0;
const failedRequestIds: string[] = [];

describe("server actions under hostile input", () => {
  it("finds the actions", () => {
    // Every page's forms: a missing file or a broken export would silently shrink the fuzzing.
    expect(actions.length).toBeGreaterThanOrEqual(40);
  });

  for (const { name, action } of actions) {
    it(`${name}: always a state, never an internal error`, { timeout: 120_000 }, async () => {
      const { user } = await makePrincipal(["admin"]);
      const fields = fieldsOf(action.schema);
      const real = await realValues();
      await fc.assert(
        fc.asyncProperty(hostileForm(fields, real), async (entries) => {
          const form = toForm(entries);
          // A fresh session each time: some actions end sessions or change the principal.
          const { cookie } = await signedInCookie(user.id);
          const [cookieName, cookieValue] = cookie.split("=", 2) as [string, string];
          const requestId = `fuzz-${cases++}`;
          const request: ActionRequest = {
            headers: new Headers({
              "x-keyward-peer": "203.0.113.50",
              "x-request-id": requestId,
              "user-agent": "fuzz",
            }),
            cookies: { get: (wanted) => (wanted === cookieName ? { value: cookieValue } : undefined) },
          };
          const { state } = await action.run(request, form);
          expect(["ok", "error"]).toContain(state.status);
          if (state.status === "error") {
            expect(state.code).not.toBe("internal");
            expect(state.message.length).toBeGreaterThan(0);
            failedRequestIds.push(requestId);
          }
        }),
        { numRuns: RUNS_PER_ACTION },
      );
    });
  }

  afterAll(async () => {
    const written = await db.auditEvent.findMany({
      where: { requestId: { in: failedRequestIds }, outcome: "success" },
      select: { action: true, requestId: true },
    });
    console.warn(
      `[fuzz] server actions: ${actions.length} actions, ${cases} cases, ${failedRequestIds.length} refused`,
    );
    expect(written).toEqual([]);
  });
});

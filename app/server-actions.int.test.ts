import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { z } from "zod";

import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { db } from "@/lib/db/client";
import type { ActionRequest } from "@/lib/http/action";
import { fieldsOf, hostileString, illFormedString } from "@/test/fuzz";
import { makeTestClient, mintTestToken } from "@/test/credentials";
import { makePrincipal, makeRole, signedInCookie } from "@/test/factories";
import { allServerActions } from "@/test/server-actions";

/**
 * Property-based fuzzing of every server action in process, through the same wrapper Next.js
 * calls (session, permission, schema, handler), as an Administrator with a fresh session so that
 * input reaches the handler. Properties: the action always answers with a state (never throws,
 * never an internal error), and an action that answered with an error wrote nothing (no success
 * event in the audit log carries its request id: every write is recorded in its transaction), and
 * afterwards the audit chain still verifies (whatever was stored was hashed as stored).
 *
 * Ill-formed Unicode: a browser's multipart body and FormData itself turn lone surrogates into
 * U+FFFD, so half the cases hand the wrapper a form that keeps its text exactly as generated (as
 * a decoder that did not replace them would): the wrapper must refuse those with `invalid`.
 */
const RUNS_PER_ACTION = 60;

const actions = await allServerActions();

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
    { weight: 1, arbitrary: illFormedString },
    { weight: 1, arbitrary: fc.constantFrom(...real) },
  );
  return fc.array(fc.tuple(key, value), { maxLength: fields.length + 3 });
}

function toForm(entries: [string, string][]): FormData {
  const form = new FormData();
  for (const [name, text] of entries) form.append(name, text);
  return form;
}

/** The part of FormData the action wrapper reads, holding the text unconverted (FormData's is USVString). */
function rawForm(entries: [string, string][]): FormData {
  const raw = {
    keys: () => entries.map(([name]) => name)[Symbol.iterator](),
    get: (name: string) => entries.find(([key]) => key === name)?.[1] ?? null,
    getAll: (name: string) => entries.filter(([key]) => key === name).map(([, text]) => text),
  };
  return raw as unknown as FormData;
}

/** The fields a schema reads as booleans (checkboxes): the wrapper keeps no text of theirs. */
function booleanFields(schema: z.ZodType): Set<string> {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape ?? {};
  return new Set(
    Object.entries(shape)
      .filter(([, field]) => {
        let current: unknown = field;
        for (let i = 0; i < 4 && current; i++) {
          const def = (current as { def?: { type?: string; innerType?: unknown } }).def;
          if (def?.type === "boolean") return true;
          current = def?.innerType;
        }
        return false;
      })
      .map(([name]) => name),
  );
}

const isCleanText = (text: string) => text.isWellFormed() && !text.includes("\u0000");

/**
 * Whether the wrapper certainly reads text that is not clean: a field name, or a field's first value
 * (all values of repeated fields too, but which fields repeat is the action's own business). Next's
 * own $ACTION fields it drops unread, a "__proto__" field's text never lands in the object, and a
 * checkbox's text becomes a boolean.
 */
function readsUnclean(entries: [string, string][], booleans: Set<string>): boolean {
  const seen = new Set<string>();
  return entries.some(([name, text]) => {
    if (name.startsWith("$ACTION") || name === "__proto__") return false;
    const first = !seen.has(name);
    seen.add(name);
    return !isCleanText(name) || (first && !booleans.has(name) && !isCleanText(text));
  });
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
      const booleans = booleanFields(action.schema);
      const real = await realValues();
      await fc.assert(
        fc.asyncProperty(hostileForm(fields, real), fc.boolean(), async (entries, raw) => {
          const form = raw ? rawForm(entries) : toForm(entries);
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
          if (raw && readsUnclean(entries, booleans))
            expect(state).toMatchObject({ status: "error", code: "invalid" });
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
    // Nothing any action stored breaks verification (issue 12: one token name broke it for good).
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, problems: [] });
  });
});

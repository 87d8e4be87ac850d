import { z } from "zod";

import { getConfig } from "../config/env.ts";
import { ERROR_STATUS } from "../errors/app-error.ts";
import { PROBLEM_TYPE_BASE } from "../http/problem.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../http/read-body.ts";
import { PERMISSION_DESCRIPTIONS } from "../policy/permissions.ts";
import { needsStepUp, type Operation } from "./operation.ts";
import { V1 } from "./v1-operations.ts";

type JsonSchema = Record<string, unknown>;

/** Inputs are documented as callers send them (before transforms); outputs as we send them. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function parameters(op: Operation): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ["path", op.params],
    ["query", op.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, "input") as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === "path" || (json.required ?? []).includes(name),
        schema: property,
        ...(typeof property.description === "string" ? { description: property.description } : {}),
      });
    }
  }
  return out;
}

const problemRef = { $ref: "#/components/schemas/Problem" };
const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemRef } },
});

function responses(op: Operation): Record<string, unknown> {
  const status = op.status ?? 200;
  const success =
    status === 204 || !op.response
      ? { description: "Done." }
      : { description: "OK", content: { "application/json": { schema: schemaOf(op.response, "output") } } };
  const out: Record<string, unknown> = { [status]: success };
  if (op.params || op.query || op.body)
    out["400"] = problem("The input is not valid: `errors` lists each field.");
  if (op.permission !== "public") {
    out["401"] = problem(
      needsStepUp(op)
        ? "No valid credential, or (for a browser session) a recent sign-in is needed: `step_up_required`."
        : "No valid credential (missing, malformed, expired or revoked).",
    );
    out["403"] = problem(
      op.session
        ? `The credential lacks the permission (a bearer token gets \`insufficient_scope\`), or is a bearer credential at all: \`${PROBLEM_TYPE_BASE}session_required\`.`
        : "The credential lacks the permission (a bearer token gets `insufficient_scope`).",
    );
    out["429"] = problem("The credential has made too many requests; see Retry-After and RateLimit.");
  }
  if (op.params) out["404"] = problem("Not found, or not visible to the caller.");
  if (op.method !== "GET") out["409"] = problem("The change conflicts with the current state.");
  if (op.body) {
    out["413"] = problem(
      `The body is larger than ${(op.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) / 1024} KiB.`,
    );
    out["415"] = problem("The body is not application/json.");
  }
  return out;
}

/** What the caller must prove besides the permission (DESIGN.md, "Sensitive operations"). */
function proof(op: Operation): string | undefined {
  if (op.session)
    return (
      "Only a signed-in person, within the step-up window: personal tokens and client tokens are refused " +
      `with \`${PROBLEM_TYPE_BASE}session_required\` (403), whatever they hold. Automation uses the operator CLI.`
    );
  if (needsStepUp(op))
    return "A browser session must have signed in recently (with its second factor): else `step_up_required` (401).";
  return undefined;
}

/** The OpenAPI 3.1 document of /api/v1, generated from the operations and their zod schemas. */
export function openApiDocument(): JsonSchema {
  const issuer = getConfig().issuer;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of Object.values(V1) as Operation[]) {
    const path = (paths[`/api/v1${op.path}`] ??= {});
    const permission =
      op.permission === "authenticated"
        ? "Any authenticated caller; the result depends on what the caller may see."
        : op.permission === "public"
          ? "No credential needed."
          : `Requires \`${op.permission}\`: ${PERMISSION_DESCRIPTIONS[op.permission]}`;
    path[op.method.toLowerCase()] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      description: [op.description, permission, proof(op)].filter(Boolean).join("\n\n"),
      ...(op.permission === "public" ? { security: [] } : {}),
      parameters: parameters(op),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(op.body, "input") } },
            },
          }
        : {}),
      responses: responses(op),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Keyward API",
      version: "1",
      description:
        "Users, roles, tokens, clients and the audit log. Authenticate with a personal token " +
        "(`Authorization: Bearer kw_pat_…`) or a client access token from the token endpoint. " +
        `Errors are RFC 9457 problem details; \`type\` is \`${PROBLEM_TYPE_BASE}<code>\`.`,
    },
    servers: [{ url: issuer }],
    security: [{ personalToken: [] }, { clientCredentials: [] }, { dpop: [] }],
    paths,
    components: {
      securitySchemes: {
        personalToken: { type: "http", scheme: "bearer", description: "A personal API token (kw_pat_…)." },
        // RFC 9449 §7.1 registers the DPoP authentication scheme.
        dpop: {
          type: "http",
          scheme: "DPoP",
          description:
            "A DPoP-bound client access token (token_type DPoP, cnf.jkt), as `Authorization: DPoP <token>` with a `DPoP` proof header made for this request by the client's key (RFC 9449). A bound token sent as Bearer is refused.",
        },
        clientCredentials: {
          type: "oauth2",
          flows: {
            clientCredentials: {
              tokenUrl: `${issuer}/api/oauth/token`,
              scopes: { ...PERMISSION_DESCRIPTIONS },
            },
          },
        },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string", enum: Object.keys(ERROR_STATUS).map((code) => PROBLEM_TYPE_BASE + code) },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            instance: { type: "string" },
            errors: {
              type: "array",
              items: {
                type: "object",
                required: ["path", "message"],
                properties: { path: { type: "string" }, message: { type: "string" } },
              },
            },
            holders: {
              type: "object",
              description:
                "409 of a removal in use (an API, a permission): the roles, tokens and clients that hold it, and how many.",
            },
          },
        },
      },
    },
  };
}

import type { z } from "zod";

import type { Permission } from "../policy/permissions.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * One REST API v1 operation, declared once: the route handler parses and authorizes with it
 * (lib/http/api-route.ts) and the OpenAPI document is generated from it (lib/api/openapi.ts).
 */
export type Operation = {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template under /api/v1, e.g. "/users/{userId}". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** "authenticated": any caller; the domain function decides (e.g. one's own tokens). */
  permission: Permission | "authenticated" | "public";
  params?: z.ZodObject<z.ZodRawShape>;
  query?: z.ZodObject<z.ZodRawShape>;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Success status: 200 with `response`, 201 for a creation, 204 without a body. */
  status?: 200 | 201 | 204;
  /**
   * Sensitive (DESIGN.md, "Sensitive operations"): a session caller must have signed in within the
   * step-up window, with the second factor when they have one (401 step_up_required). apiRoute
   * checks it before the handler; the domain function checks it again.
   */
  stepUp?: boolean;
  /**
   * Only a signed-in person under step-up: it creates or hands out a credential, a secret or a
   * one-time link, so a bearer credential gets 403 session_required however many scopes it holds
   * (no laundering). Implies `stepUp`.
   */
  session?: boolean;
  /** The largest JSON body read (default 64 KiB, lib/http/read-body.ts): imports of documents need more. */
  maxBodyBytes?: number;
};

/** Whether a caller must be within the step-up window: declared directly, or implied by `session`. */
export function needsStepUp(op: Pick<Operation, "stepUp" | "session">): boolean {
  return op.stepUp === true || op.session === true;
}

export function operation<const O extends Operation>(op: O): O {
  return op;
}

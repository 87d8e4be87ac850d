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
  /** A session caller may be asked to re-authenticate first (401 step_up_required). */
  stepUp?: boolean;
};

export function operation<const O extends Operation>(op: O): O {
  return op;
}

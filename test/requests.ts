import { NextRequest } from "next/server";

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Calls a real route handler as the server would, with the headers our server.js adds. */
export async function call(
  handler: Handler,
  options: {
    method?: string;
    path?: string;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
    cookie?: string;
    /** Sent as `Authorization: Bearer <token>`. */
    bearer?: string;
    ip?: string;
    /** The route's dynamic segments, as Next passes them. */
    params?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers = new Headers(options.headers);
  headers.set("x-keyward-peer", options.ip ?? "203.0.113.7");
  headers.set("user-agent", "vitest");
  if (options.cookie) headers.set("cookie", options.cookie);
  if (options.bearer !== undefined) headers.set("authorization", `Bearer ${options.bearer}`);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const req = new NextRequest(new URL(options.path ?? "/api/test", "http://localhost:3000"), {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const response = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

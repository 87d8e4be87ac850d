import { serverMetadata } from "@/lib/oauth/metadata";

/** Served at /.well-known/oauth-authorization-server (next.config.js rewrites it here). */
export function GET(): Response {
  return Response.json(serverMetadata(), { headers: { "cache-control": "public, max-age=300" } });
}

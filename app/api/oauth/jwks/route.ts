import { publishedKeys } from "@/lib/oauth/signing-keys";

/**
 * Served at /.well-known/jwks.json (next.config.js rewrites it here): the keys that verify our
 * access tokens. Cached briefly; verifiers such as jose refetch when they meet an unknown `kid`,
 * which is how a newly rotated key reaches them.
 */
export async function GET(): Promise<Response> {
  try {
    return Response.json(
      { keys: await publishedKeys() },
      { headers: { "cache-control": "public, max-age=60" } },
    );
  } catch (error) {
    console.error("[jwks] could not load keys:", error);
    return Response.json({ error: "unavailable" }, { status: 503, headers: { "retry-after": "5" } });
  }
}

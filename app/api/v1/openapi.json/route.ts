import { openApiDocument } from "@/lib/api/openapi";
import { publicRoute } from "@/lib/http/route";

/** The API's OpenAPI 3.1 description: public, like any API's documentation. */
export const GET = publicRoute({}, async () =>
  Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);

import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { searchConsole } from "@/lib/search/console-search";

/** The command palette's search: what the caller may open, by part of its name. */
export const GET = apiRoute(V1.searchConsole, async ({ principal, query }) =>
  json(await searchConsole(principal, query)),
);

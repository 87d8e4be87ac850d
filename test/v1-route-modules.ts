/// <reference types="vite/client" />

/**
 * Every route module under app/api/v1, keyed by its path as the OpenAPI document writes it
 * ("/apis/{apiId}"). Found by glob rather than listed, so that a new route is in every test that
 * walks the API (access, sensitive operations) without anyone remembering to add it.
 */
const found = import.meta.glob<Record<string, unknown>>("../app/api/v1/**/route.ts", { eager: true });

/** The OpenAPI document itself: public, and not one of the operations it describes. */
const NOT_OPERATIONS = new Set(["/openapi.json"]);

export const V1_ROUTE_MODULES: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(found)
    .map(
      ([file, module]) =>
        [
          file
            .replace(/^\.\.\/app\/api\/v1/, "")
            .replace(/\/route\.ts$/, "")
            .replace(/\[(\w+)\]/g, "{$1}"),
          module,
        ] as const,
    )
    .filter(([path]) => !NOT_OPERATIONS.has(path)),
);

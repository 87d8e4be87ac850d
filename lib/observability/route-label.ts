/**
 * The `route` label of HTTP metrics and access-log lines: the pattern of the route a path matches
 * ("/api/v1/users/[userId]"), never the path itself, so the number of series is bounded by the
 * number of routes whatever clients send. A path that matches no known route is "other".
 *
 * Patterns are Next's (app/ folders): `[name]` one segment, `[...name]` one or more, `[[...name]]`
 * zero or more; a static segment wins over a dynamic one, as in Next's router.
 */
export const OTHER_ROUTE = "other";

/** Longer paths are "other" without being looked at (server.js refuses URLs past 8 KiB anyway). */
const MAX_PATH_LENGTH = 2_048;
const MAX_SEGMENTS = 64;

type Node = {
  statics: Map<string, Node>;
  dynamic?: Node;
  /** `[...x]` (one or more) and `[[...x]]` (zero or more) here: the whole rest matches. */
  catchAll?: string;
  optionalCatchAll?: string;
  /** The pattern ending exactly here. */
  pattern?: string;
};

export type RouteTable = { root: Node; prefixes: ReadonlyArray<readonly [string, string]> };

const node = (): Node => ({ statics: new Map() });

/**
 * A table from route patterns ("/users/[id]") and path prefixes whose every path is one label
 * ("/_next/static/" → "/_next/static"). Segments are kept as written (percent-escaped, as a
 * request's path arrives).
 */
export function routeTable(
  patterns: Iterable<string>,
  prefixes: ReadonlyArray<readonly [string, string]> = [],
): RouteTable {
  const root = node();
  for (const pattern of patterns) {
    let at = root;
    for (const segment of pattern.split("/").filter(Boolean)) {
      if (/^\[\[\.\.\.[^\]]+\]\]$/.test(segment)) {
        at.optionalCatchAll = pattern;
        at = node();
        break;
      }
      if (/^\[\.\.\.[^\]]+\]$/.test(segment)) {
        at.catchAll = pattern;
        at = node();
        break;
      }
      if (/^\[[^\]]+\]$/.test(segment)) {
        at.dynamic ??= node();
        at = at.dynamic;
        continue;
      }
      let next = at.statics.get(segment);
      if (!next) {
        next = node();
        at.statics.set(segment, next);
      }
      at = next;
    }
    if (!at.pattern && at !== root) at.pattern = pattern;
    if (pattern === "/" || pattern === "") root.pattern = "/";
  }
  return { root, prefixes };
}

/** The label of a request path (without its query string). */
export function routeLabel(table: RouteTable, path: string): string {
  if (path.length > MAX_PATH_LENGTH || !path.startsWith("/")) return OTHER_ROUTE;
  for (const [prefix, label] of table.prefixes) if (path.startsWith(prefix)) return label;
  // A trailing slash is the same route (Next redirects it to the bare path).
  const segments = path.split("/", MAX_SEGMENTS + 2).filter(Boolean);
  if (segments.length > MAX_SEGMENTS) return OTHER_ROUTE;
  return match(table.root, segments, 0) ?? OTHER_ROUTE;
}

function match(at: Node, segments: readonly string[], index: number): string | undefined {
  if (index === segments.length) return at.pattern ?? at.optionalCatchAll;
  const segment = segments[index] ?? "";
  const fixed = at.statics.get(segment);
  const found =
    (fixed && match(fixed, segments, index + 1)) ?? (at.dynamic && match(at.dynamic, segments, index + 1));
  return found ?? at.catchAll ?? at.optionalCatchAll;
}

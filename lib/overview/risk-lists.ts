import type { Principal } from "../auth/principal.ts";
import { dbPool } from "../db/client.ts";
import { Forbidden } from "../errors/app-error.ts";
import { can } from "../policy/authorize.ts";
import { RISK_AT, RISK_CONDITIONS, RISK_TABLES, notAccepted } from "./risk-conditions.ts";
import {
  bindRiskParams,
  intParam,
  riskParams,
  textParam,
  utcParam,
  riskWindow,
  type RiskWindow,
} from "./risk-params.ts";
import { RISK_KEYS, RISKS, type RiskItem, type RiskKey, type RiskTargetKind } from "./risks.ts";

/** The lists this principal may see: each needs the read permission of what it lists. */
export function visibleRisks(principal: Principal): RiskKey[] {
  return RISK_KEYS.filter((risk) => can(principal, RISKS[risk].readPermission));
}

function assertMaySee(principal: Principal, risk: RiskKey): void {
  if (!can(principal, RISKS[risk].readPermission)) throw Forbidden();
}

const byKind = (kind: RiskTargetKind, risks: readonly RiskKey[]) =>
  risks.filter((risk) => RISKS[risk].targetKind === kind);

/**
 * How many items each list holds (accepted risks left out): one scan per table counts all of its
 * lists at once, the three tables in parallel.
 */
export async function riskCounts(
  risks: readonly RiskKey[],
  window?: RiskWindow,
): Promise<Partial<Record<RiskKey, number>>> {
  const w = window ?? (await riskWindow());
  const counts: Partial<Record<RiskKey, number>> = {};
  await Promise.all(
    (["user", "token", "client"] as const).map(async (kind) => {
      const keys = byKind(kind, risks);
      if (keys.length === 0) return;
      const { table, alias, live } = RISK_TABLES[kind];
      const columns = keys.map(
        (risk, i) =>
          `count(*) FILTER (WHERE ${RISK_CONDITIONS[risk]} AND ${notAccepted(risk, alias)})::int AS k${i}`,
      );
      const { sql, values } = bindRiskParams(
        `SELECT ${columns.join(", ")} FROM ${table} ${alias} WHERE ${live}`,
        riskParams(w),
      );
      const { rows } = await dbPool().query<Record<string, number>>(sql, values);
      keys.forEach((risk, i) => (counts[risk] = rows[0]?.[`k${i}`] ?? 0));
    }),
  );
  return counts;
}

type Row = {
  id: string;
  name: string;
  at: Date | null;
  owner_id: string | null;
  owner_name: string | null;
  owner_email: string | null;
};

const SELECT: Record<RiskTargetKind, { columns: string; join: string }> = {
  user: { columns: `u.id, u.name, u.id AS owner_id, u.name AS owner_name, u.email AS owner_email`, join: "" },
  token: {
    columns: `t.id, t.name, o.id AS owner_id, o.name AS owner_name, o.email AS owner_email`,
    join: `JOIN "User" o ON o.id = t."userId"`,
  },
  client: {
    columns: `c.id, c.name, o.id AS owner_id, o.name AS owner_name, o.email AS owner_email`,
    join: `LEFT JOIN "User" o ON o.id = c."ownerId"`,
  },
};

export const RISK_PAGE_MAX = 200;

/** A position in a list: the item's date and id, opaque to callers. */
function encodeCursor(row: Row): string {
  return Buffer.from(`${row.at ? row.at.toISOString() : ""}|${row.id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { at: string; id: string } | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const bar = text.indexOf("|");
  if (bar < 0) return null;
  const at = text.slice(0, bar);
  if (at !== "" && Number.isNaN(Date.parse(at))) return null;
  return { at: at === "" ? "1970-01-01T00:00:00.000Z" : at, id: text.slice(bar + 1) };
}

type PageOptions = { after?: string; limit: number; ownerId?: string; window: RiskWindow };

/**
 * The query of one page of a list, oldest first (the longest idle, the soonest to expire), after a
 * cursor (the bench prints its plan).
 */
export function riskPageQuery(risk: RiskKey, options: PageOptions): { sql: string; values: unknown[] } {
  const kind = RISKS[risk].targetKind;
  const { table, alias, live } = RISK_TABLES[kind];
  const params = riskParams(options.window);
  const where = [live, RISK_CONDITIONS[risk], notAccepted(risk, alias)];
  const at = `COALESCE(${RISK_AT[risk]}, 'epoch'::timestamp)`;
  const cursor = options.after ? decodeCursor(options.after) : null;
  if (cursor) {
    params.cursor_at = utcParam(new Date(cursor.at));
    params.cursor_id = textParam(cursor.id);
    where.push(`(${at}, ${alias}.id) > (p.cursor_at, p.cursor_id)`);
  }
  if (options.ownerId) {
    params.owner_id = textParam(options.ownerId);
    where.push(`o.id = p.owner_id`);
  }
  params.page_limit = intParam(options.limit + 1);
  const { sql, values } = bindRiskParams(
    `SELECT ${SELECT[kind].columns}, ${RISK_AT[risk]} AS at
    FROM ${table} ${alias} ${SELECT[kind].join}
    WHERE ${where.join(" AND ")}
    ORDER BY ${at}, ${alias}.id LIMIT p.page_limit`,
    params,
  );
  return { sql, values };
}

async function riskRows(risk: RiskKey, options: PageOptions): Promise<Row[]> {
  const { sql, values } = riskPageQuery(risk, options);
  const { rows } = await dbPool().query<Row>(sql, values);
  return rows;
}

type Grant = { credential: string; name: string; used: boolean };

/** For over-scoped items: each held permission, by display name, and whether it was used in the window. */
async function grantUse(kind: "token" | "client", ids: string[], window: RiskWindow): Promise<Grant[]> {
  if (ids.length === 0) return [];
  const [grants, column] =
    kind === "token" ? ["ApiTokenPermission", "tokenId"] : ["ApiClientPermission", "clientId"];
  const { rows } = await dbPool().query<Grant>(
    `SELECT g."${column}" AS credential,
       CASE WHEN a."builtInKey" = 'keyward' THEN ap.name ELSE a.name || ': ' || ap.name END AS name,
       COALESCE(g."lastUsedOn" >= ($2::timestamptz AT TIME ZONE 'UTC')::date, FALSE) AS used
     FROM "${grants}" g JOIN "ApiPermission" ap ON ap.id = g."permissionId" JOIN "Api" a ON a.id = ap."apiId"
     WHERE g."${column}" = ANY($1::text[]) ORDER BY 2`,
    [ids, window.useSince.toISOString()],
  );
  return rows;
}

async function toItems(risk: RiskKey, rows: Row[], window: RiskWindow): Promise<RiskItem[]> {
  const kind = RISKS[risk].targetKind;
  const overScoped = risk === "tokens.over_scoped" || risk === "clients.over_scoped";
  const grants =
    overScoped && kind !== "user"
      ? await grantUse(
          kind,
          rows.map((row) => row.id),
          window,
        )
      : [];
  return rows.map((row) => {
    const mine = grants.filter((grant) => grant.credential === row.id);
    return {
      risk,
      targetKind: kind,
      targetId: row.id,
      name: row.name,
      owner:
        row.owner_id && row.owner_email
          ? { id: row.owner_id, name: row.owner_name ?? "", email: row.owner_email }
          : null,
      at: row.at,
      ...(overScoped
        ? {
            used: mine.filter((grant) => grant.used).map((grant) => grant.name),
            unused: mine.filter((grant) => !grant.used).map((grant) => grant.name),
          }
        : {}),
    };
  });
}

export type RiskPage = { items: RiskItem[]; nextCursor: string | null; window: RiskWindow };

/** One page of a risk list, for a principal holding the list's read permission. */
export async function listRisk(
  principal: Principal,
  input: { risk: RiskKey; after?: string | undefined; limit: number },
): Promise<RiskPage> {
  assertMaySee(principal, input.risk);
  const window = await riskWindow();
  const limit = Math.min(input.limit, RISK_PAGE_MAX);
  const rows = await riskRows(input.risk, { after: input.after, limit, window });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: await toItems(input.risk, page, window),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    window,
  };
}

/** Every item of a list, for the CSV export (in pages, so a long list is read in bounded steps). */
export async function* allRiskItems(principal: Principal, risk: RiskKey): AsyncGenerator<RiskItem> {
  assertMaySee(principal, risk);
  const window = await riskWindow();
  let after: string | undefined;
  for (;;) {
    const rows = await riskRows(risk, { after, limit: 1_000, window });
    const page = rows.slice(0, 1_000);
    for (const item of await toItems(risk, page, window)) yield item;
    const last = page.at(-1);
    if (rows.length <= 1_000 || !last) return;
    after = encodeCursor(last);
  }
}

/**
 * Items of one list without a principal, for the jobs that tell owners about their own (at most
 * `limit`, oldest first; `ownerId` narrows to one owner's).
 */
export async function riskItemsForJobs(
  risk: RiskKey,
  options: { limit: number; ownerId?: string; window: RiskWindow },
): Promise<RiskItem[]> {
  const rows = await riskRows(risk, options);
  return toItems(risk, rows.slice(0, options.limit), options.window);
}

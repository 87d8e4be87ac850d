// The plans of what a list function really sends: every statement it runs is captured on its way to
// PostgreSQL (whether Prisma wrote it or our own SQL did), then EXPLAINed with the same values, so a
// benchmark can print the plan's shape beside its timing.
import pg from "pg";

type Statement = { text: string; values: unknown[] };
type PlanNode = {
  "Node Type": string;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "CTE Name"?: string;
  Plans?: PlanNode[];
};

let captured: Statement[] | null = null;
let installed = false;

/** Records the statements `pg` sends while `captured` is set (once per process; harmless otherwise). */
function install(): void {
  if (installed) return;
  installed = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  Object.assign(pg.Client.prototype, {
    query(this: pg.Client, ...args: unknown[]) {
      const [config, values] = args;
      if (captured) {
        if (typeof config === "string")
          captured.push({ text: config, values: Array.isArray(values) ? values : [] });
        else if (config && typeof config === "object" && "text" in config) {
          const c = config as { text: string; values?: unknown[] };
          captured.push({ text: c.text, values: c.values ?? [] });
        }
      }
      return original.apply(this, args);
    },
  });
}

/** The statements one call of `run` sends whose main table (the first FROM) is `table`. */
export async function statementsOf(run: () => Promise<unknown>, table: string): Promise<Statement[]> {
  install();
  captured = [];
  try {
    await run();
    return captured.filter((s) => {
      const from = /\bFROM\s+("public"\.)?"(\w+)"/.exec(s.text);
      // Prisma's second query loads the page's rows by id: not the list's own plan.
      return from?.[2] === table && !/"id" IN \(/.test(s.text);
    });
  } finally {
    captured = null;
  }
}

function label(node: PlanNode): string {
  const on = node["Index Name"] ?? node["CTE Name"] ?? node["Relation Name"];
  return on ? `${node["Node Type"]}(${on})` : node["Node Type"];
}

/** A scalar subquery that only looks a row up by primary key or reads a CTE again: noise here. */
function trivial(node: PlanNode): boolean {
  const kids = node.Plans ?? [];
  if (kids.length === 0) return node["Node Type"] === "CTE Scan" || /_pkey$/.test(node["Index Name"] ?? "");
  return kids.every(trivial);
}

/** "Limit → Sort → CTE Scan(m) [m: Bitmap Heap Scan(User) → BitmapOr(…)]" */
export function render(node: PlanNode): string {
  const kids = node.Plans ?? [];
  const main = kids.filter((k) => !["InitPlan", "SubPlan"].includes(k["Parent Relationship"] ?? ""));
  const ctes = kids.filter((k) => k["Subplan Name"]?.startsWith("CTE "));
  const others = kids.filter((k) => !main.includes(k) && !ctes.includes(k) && !trivial(k));
  let out = label(node);
  if (main.length === 1 && main[0]) out += ` → ${render(main[0])}`;
  else if (main.length > 1) out += `(${main.map(render).join(", ")})`;
  for (const sub of others) out += ` {${render(sub)}}`;
  for (const cte of ctes) out += ` [${cte["Subplan Name"]?.slice(4)}: ${render(cte)}]`;
  return out;
}

/** The plan shape of every statement `run` sends on `table`, joined with " ; ". */
export async function planShapes(
  pool: pg.Pool,
  run: () => Promise<unknown>,
  table = "User",
): Promise<string> {
  const statements = await statementsOf(run, table);
  const shapes: string[] = [];
  for (const s of statements) {
    const { rows } = await pool.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${s.text}`,
      s.values,
    );
    const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
    if (plan) shapes.push(render(plan));
  }
  return shapes.join(" ; ") || "(no statement on this table)";
}

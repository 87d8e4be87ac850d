import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

// Guarantee: every migration after the cutoff is backward compatible with the previous release, so
// that during a rolling deploy the instances still on the old code keep working on the new schema
// (expand/contract: docs/operations.md, "Schema changes"). A migration that removes or changes what
// the previous release uses must say so with a `-- contract: <release note>` comment, and may only
// ship once no running release needs what it removes. And since the migration runner sends each
// migration.sql as one query (lib/db/migrate.ts), which PostgreSQL runs as one implicit
// transaction, CREATE INDEX CONCURRENTLY works only as the sole statement of its migration.

/** The newest migration when this check was written: the ones up to it shipped before the rule. */
const CUTOFF = "20261207150335_grant_last_used_on";

const MIGRATIONS = path.join(import.meta.dirname, "..", "prisma", "migrations");

/** Statements that break the previous release's code on the new schema, by what they do to it. */
const CONTRACTING: { pattern: RegExp; what: string }[] = [
  { pattern: /\bDROP\s+TABLE\b/i, what: "drops a table" },
  { pattern: /\bDROP\s+COLUMN\b/i, what: "drops a column" },
  { pattern: /\bDROP\s+TYPE\b/i, what: "drops a type" },
  { pattern: /\bRENAME\b/i, what: "renames" },
  { pattern: /\bSET\s+NOT\s+NULL\b/i, what: "sets NOT NULL on an existing column" },
  { pattern: /\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i, what: "changes a column's type" },
];

const withoutComments = (sql: string) => sql.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/--[^\n]*/g, " ");

/** What in this migration's SQL the previous release could not live with, unless marked a contract. */
function compatibilityProblems(sql: string): string[] {
  const problems: string[] = [];
  const statements = withoutComments(sql)
    .split(";")
    .map((statement) => statement.replace(/\s+/g, " ").trim())
    .filter(Boolean);
  if (!/^[ \t]*--[ \t]*contract:[ \t]*\S/im.test(sql)) {
    for (const statement of statements) {
      for (const { pattern, what } of CONTRACTING) {
        if (pattern.test(statement)) problems.push(`${what}: ${statement}`);
      }
      // A NOT NULL column without a default: the previous release inserts rows without it.
      for (const clause of statement.split(/,\s*(?=ADD\s+COLUMN\b)/i)) {
        if (
          /\bADD\s+COLUMN\b/i.test(clause) &&
          /\bNOT\s+NULL\b/i.test(clause) &&
          !/\bDEFAULT\b/i.test(clause)
        )
          problems.push(`adds a NOT NULL column without a default: ${clause}`);
      }
    }
  }
  if (statements.length > 1 && statements.some((statement) => /\bCONCURRENTLY\b/i.test(statement)))
    problems.push("CREATE INDEX CONCURRENTLY must be the only statement of its migration");
  return problems;
}

describe("migrations are expand-only unless marked `-- contract:` (rolling deploys)", () => {
  const names = fs
    .readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  it("the cutoff is a migration of this tree", () => {
    expect(names).toContain(CUTOFF);
  });

  it("every migration after the cutoff is backward compatible with the previous release", () => {
    const found = names
      .filter((name) => name > CUTOFF)
      .flatMap((name) =>
        compatibilityProblems(fs.readFileSync(path.join(MIGRATIONS, name, "migration.sql"), "utf8")).map(
          (problem) => `${name}: ${problem}`,
        ),
      );
    expect(found).toEqual([]);
  });

  it("names what breaks the previous release, and lets an expanding migration through", () => {
    expect(compatibilityProblems(`ALTER TABLE "ApiToken" DROP COLUMN "scopes";`)).toEqual([
      `drops a column: ALTER TABLE "ApiToken" DROP COLUMN "scopes"`,
    ]);
    expect(compatibilityProblems(`DROP TABLE "Legacy";`)).toHaveLength(1);
    expect(compatibilityProblems(`ALTER TABLE "User" RENAME COLUMN "name" TO "displayName";`)).toHaveLength(
      1,
    );
    expect(compatibilityProblems(`ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;`)).toHaveLength(1);
    expect(compatibilityProblems(`ALTER TABLE "User" ALTER COLUMN "age" SET DATA TYPE BIGINT;`)).toHaveLength(
      1,
    );
    expect(
      compatibilityProblems(
        `ALTER TABLE "User" ADD COLUMN "a" BOOLEAN NOT NULL DEFAULT true,\nADD COLUMN "b" TEXT NOT NULL;`,
      ),
    ).toEqual([`adds a NOT NULL column without a default: ADD COLUMN "b" TEXT NOT NULL`]);
    // Expanding: new nullable or defaulted columns, tables, indexes, enum values.
    expect(
      compatibilityProblems(`-- AlterTable
ALTER TABLE "User" ADD COLUMN "a" BOOLEAN NOT NULL DEFAULT true, ADD COLUMN "b" TEXT;
CREATE TABLE "New" ("id" TEXT NOT NULL, CONSTRAINT "New_pkey" PRIMARY KEY ("id"));
CREATE INDEX "New_id_idx" ON "New"("id");
ALTER TYPE "OneTimeCodePurpose" ADD VALUE 'email_verification';`),
    ).toEqual([]);
  });

  it("lets a contract through when it says so, and only then", () => {
    const history = fs.readFileSync(
      path.join(MIGRATIONS, "20261202165548_api_permissions", "migration.sql"),
      "utf8",
    );
    // The arrays moved to join tables and were dropped in the same release: today, a contract.
    expect(compatibilityProblems(history)).toHaveLength(3);
    expect(
      compatibilityProblems(
        `-- contract: 1.4 reads the join tables only; 1.3 wrote both\nALTER TABLE "ApiToken" DROP COLUMN "scopes";`,
      ),
    ).toEqual([]);
    expect(compatibilityProblems(`-- contract:\nALTER TABLE "ApiToken" DROP COLUMN "scopes";`)).toHaveLength(
      1,
    );
  });

  it("keeps CREATE INDEX CONCURRENTLY alone in its migration (each migration is one transaction)", () => {
    expect(compatibilityProblems(`CREATE INDEX CONCURRENTLY "User_name_idx" ON "User"("name");`)).toEqual([]);
    expect(
      compatibilityProblems(
        `ALTER TABLE "User" ADD COLUMN "nick" TEXT;\nCREATE INDEX CONCURRENTLY "User_nick_idx" ON "User"("nick");`,
      ),
    ).toEqual(["CREATE INDEX CONCURRENTLY must be the only statement of its migration"]);
  });
});

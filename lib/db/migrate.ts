import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

/**
 * Applies prisma/migrations with Prisma's own schema engine compiled to WebAssembly, so that install,
 * start and tests never download the native engine (air-gapped installs). The bookkeeping in
 * `_prisma_migrations` is the engine's own: stock `prisma migrate status|deploy` agree with it.
 */
type MigrationDirectory = {
  path: string;
  migrationFile: { path: string; content: { tag: "ok"; value: string } };
};
type SchemaEngine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  free(): void;
};
type Glue = {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
  SchemaEngine: {
    new: (options: unknown, log: (line: string) => void, adapter: object) => Promise<SchemaEngine>;
  };
};

export type MigrateOptions = { url: string; rootDir?: string; log?: (line: string) => void };

const require = createRequire(import.meta.url);

let engineModule: Promise<Glue> | undefined;

/** The glue module is a singleton: instantiating the Wasm twice in one process corrupts its state. */
function loadEngine(): Promise<Glue> {
  engineModule ??= instantiateEngine();
  return engineModule;
}

async function instantiateEngine(): Promise<Glue> {
  // The engine reports Rust panics through this global before it throws.
  const registry = {
    message: "",
    set_message(message: string) {
      this.message = message;
    },
  };
  Object.assign(globalThis, { PRISMA_WASM_PANIC_REGISTRY: registry });
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = (await import(pathToFileURL(gluePath).href)) as Glue;
  const wasm = fs.readFileSync(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(wasm, {
    "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

function readMigrations(migrationsDir: string): MigrationDirectory[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: {
          tag: "ok",
          value: fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"),
        },
      },
    }));
}

/** adapter-pg splits scripts on every ";" (breaking function bodies): send each migration as one query. */
function wholeScriptAdapter(pool: pg.Pool): PrismaPg {
  const factory = new PrismaPg(pool);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    adapter.executeScript = async (script: string) => {
      await adapter.underlyingDriver().query(script);
    };
    return adapter;
  };
  return factory;
}

export async function applyMigrations({
  url,
  rootDir = process.cwd(),
  log = () => {},
}: MigrateOptions): Promise<string[]> {
  const migrationsDir = path.join(rootDir, "prisma", "migrations");
  const schemaPath = path.join(rootDir, "prisma", "schema.prisma");
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const glue = await loadEngine();
  // One connection, closed at the end: the embedded server accepts a single client at a time.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScriptAdapter(pool));
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[schemaPath, fs.readFileSync(schemaPath, "utf8")]] },
    (line: string) => log(String(line)),
    adapter,
  );
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: {
        baseDir: migrationsDir,
        lockfile: {
          path: lockPath,
          content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null,
        },
        shadowDbInitScript: "",
        migrationDirectories: readMigrations(migrationsDir),
      },
      filters: { externalTables: [], externalEnums: [] },
    });
    return appliedMigrationNames;
  } catch (error) {
    throw new Error(`migration failed: ${explain(error, adapter.errorRegistry)}`);
  } finally {
    engine.free();
    await pool.end();
  }
}

type ErrorRegistry = { consumeError(id: number): { error: unknown } | undefined };

/** Adapter errors reach the engine as "External error id#N": spell them out. */
function explain(error: unknown, registry: ErrorRegistry): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/External error id#(\d+)/g, (whole, id: string) => {
    const inner = registry.consumeError(Number(id))?.error;
    if (!inner) return whole;
    return inner instanceof Error ? inner.message : JSON.stringify(inner);
  });
}

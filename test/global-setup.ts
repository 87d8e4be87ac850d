import type { TestProject } from "vitest/node";

import { applyMigrations } from "../lib/db/migrate.ts";
import { adminQuery, quoteIdent, serverUrl, uniqueName, withDatabase } from "./database.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string | null;
  }
}

export default async function setup(project: TestProject) {
  const url = serverUrl();
  if (!url) {
    console.warn("[integration] no DATABASE_URL: each test file uses its own in-memory PGlite");
    project.provide("templateDatabaseUrl", null);
    return;
  }
  const template = uniqueName("keyward_test_tpl");
  await adminQuery(url, `CREATE DATABASE ${quoteIdent(template)}`);
  // The real migration runner, so the tests also prove that it works on this server.
  await applyMigrations({ url: withDatabase(url, template) });
  project.provide("templateDatabaseUrl", withDatabase(url, template));
  return async () => {
    await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`);
  };
}

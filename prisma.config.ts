// Used only by the stock Prisma CLI (authoring migrations, `prisma generate`, `prisma migrate status`).
// The app itself applies migrations with lib/db/migrate.ts and needs no CLI.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/keyward_dev",
  },
});

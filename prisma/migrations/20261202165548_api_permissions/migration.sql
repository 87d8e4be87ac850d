-- Permissions become rows of APIs (ADR 0011). Keyward's own admin API is the built-in API; its
-- permissions (typed in lib/policy/permissions.ts) get stable ids 'perm_keyward_<name>'. Every grant
-- stored in the old arrays is carried over to the join tables, including keys this version does not
-- define: those become rows of the built-in API too, so they are reported on the role, token or
-- client that holds them instead of being dropped. The built-in API's identifier is set to
-- $KEYWARD_URL/api/v1 at start (lib/apis/ensure-built-in-api.ts).

-- CreateTable
CREATE TABLE "Api" (
    "id" TEXT NOT NULL,
    "builtInKey" TEXT,
    "name" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "ownerId" TEXT,
    "accessTokenTtlSeconds" INTEGER NOT NULL DEFAULT 900,
    "allowPersonalTokens" BOOLEAN NOT NULL DEFAULT true,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Api_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiPermission" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "deprecatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiPermission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RolePermission" (
    "roleId" TEXT NOT NULL,
    "permissionId" TEXT NOT NULL,

    CONSTRAINT "RolePermission_pkey" PRIMARY KEY ("roleId","permissionId")
);

-- CreateTable
CREATE TABLE "ApiTokenPermission" (
    "tokenId" TEXT NOT NULL,
    "permissionId" TEXT NOT NULL,

    CONSTRAINT "ApiTokenPermission_pkey" PRIMARY KEY ("tokenId","permissionId")
);

-- CreateTable
CREATE TABLE "ApiClientPermission" (
    "clientId" TEXT NOT NULL,
    "permissionId" TEXT NOT NULL,

    CONSTRAINT "ApiClientPermission_pkey" PRIMARY KEY ("clientId","permissionId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Api_builtInKey_key" ON "Api"("builtInKey");

-- CreateIndex
CREATE UNIQUE INDEX "Api_name_key" ON "Api"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Api_identifier_key" ON "Api"("identifier");

-- CreateIndex
CREATE INDEX "Api_ownerId_idx" ON "Api"("ownerId");

-- CreateIndex
CREATE INDEX "Api_createdAt_id_idx" ON "Api"("createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ApiPermission_apiId_name_key" ON "ApiPermission"("apiId", "name");

-- CreateIndex
CREATE INDEX "RolePermission_permissionId_idx" ON "RolePermission"("permissionId");

-- CreateIndex
CREATE INDEX "ApiTokenPermission_permissionId_idx" ON "ApiTokenPermission"("permissionId");

-- CreateIndex
CREATE INDEX "ApiClientPermission_permissionId_idx" ON "ApiClientPermission"("permissionId");

-- AddForeignKey
ALTER TABLE "Api" ADD CONSTRAINT "Api_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiPermission" ADD CONSTRAINT "ApiPermission_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "Api"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolePermission" ADD CONSTRAINT "RolePermission_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolePermission" ADD CONSTRAINT "RolePermission_permissionId_fkey" FOREIGN KEY ("permissionId") REFERENCES "ApiPermission"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiTokenPermission" ADD CONSTRAINT "ApiTokenPermission_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiTokenPermission" ADD CONSTRAINT "ApiTokenPermission_permissionId_fkey" FOREIGN KEY ("permissionId") REFERENCES "ApiPermission"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientPermission" ADD CONSTRAINT "ApiClientPermission_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ApiClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientPermission" ADD CONSTRAINT "ApiClientPermission_permissionId_fkey" FOREIGN KEY ("permissionId") REFERENCES "ApiPermission"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The built-in API and its catalog as this version defines it.
INSERT INTO "Api" ("id", "builtInKey", "name", "identifier", "description", "updatedAt")
VALUES ('api_keyward', 'keyward', 'Keyward admin API', 'urn:keyward:unconfigured-admin-api',
        'Keyward''s own REST API.', CURRENT_TIMESTAMP);

INSERT INTO "ApiPermission" ("id", "apiId", "name")
SELECT 'perm_keyward_' || name, 'api_keyward', name
FROM unnest(ARRAY['users.read', 'users.write', 'roles.read', 'roles.write', 'clients.read',
  'clients.write', 'tokens.create', 'tokens.read', 'tokens.write', 'audit.read',
  'settings.write']) AS name;

-- Keys held by some grant that the catalog above lacks (removed by a newer version, or written by
-- hand): kept as rows, so the grants survive and are reported.
INSERT INTO "ApiPermission" ("id", "apiId", "name")
SELECT DISTINCT 'perm_keyward_' || name, 'api_keyward', name
FROM (
  SELECT unnest("permissions") AS name FROM "Role"
  UNION SELECT unnest("scopes") FROM "ApiToken"
  UNION SELECT unnest("allowedScopes") FROM "ApiClient"
) AS held
ON CONFLICT ("id") DO NOTHING;

INSERT INTO "RolePermission" ("roleId", "permissionId")
SELECT DISTINCT r.id, 'perm_keyward_' || p FROM "Role" r, unnest(r."permissions") AS p;

INSERT INTO "ApiTokenPermission" ("tokenId", "permissionId")
SELECT DISTINCT t.id, 'perm_keyward_' || p FROM "ApiToken" t, unnest(t."scopes") AS p;

INSERT INTO "ApiClientPermission" ("clientId", "permissionId")
SELECT DISTINCT c.id, 'perm_keyward_' || p FROM "ApiClient" c, unnest(c."allowedScopes") AS p;

-- AlterTable
ALTER TABLE "ApiClient" DROP COLUMN "allowedScopes";

-- AlterTable
ALTER TABLE "ApiToken" DROP COLUMN "scopes";

-- AlterTable
ALTER TABLE "Role" DROP COLUMN "permissions";

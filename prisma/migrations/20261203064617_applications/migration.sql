-- CreateTable
CREATE TABLE "Application" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "homepageUrl" TEXT,
    "logoUrl" TEXT,
    "redirectUris" TEXT[],
    "postLogoutRedirectUris" TEXT[],
    "backchannelLogoutUri" TEXT,
    "firstParty" BOOLEAN NOT NULL DEFAULT false,
    "restrictedToRoles" BOOLEAN NOT NULL DEFAULT false,
    "refreshTokens" BOOLEAN NOT NULL DEFAULT true,
    "accessTokenTtlSeconds" INTEGER NOT NULL DEFAULT 900,
    "refreshTokenIdleSeconds" INTEGER NOT NULL DEFAULT 1209600,
    "refreshTokenAbsoluteSeconds" INTEGER NOT NULL DEFAULT 2592000,
    "ownerId" TEXT,
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApplicationSecret" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "fragment" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "ApplicationSecret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApplicationPermission" (
    "appId" TEXT NOT NULL,
    "permissionId" TEXT NOT NULL,

    CONSTRAINT "ApplicationPermission_pkey" PRIMARY KEY ("appId","permissionId")
);

-- CreateTable
CREATE TABLE "ApplicationRole" (
    "appId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,

    CONSTRAINT "ApplicationRole_pkey" PRIMARY KEY ("appId","roleId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Application_name_key" ON "Application"("name");

-- CreateIndex
CREATE INDEX "Application_createdAt_id_idx" ON "Application"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Application_ownerId_idx" ON "Application"("ownerId");

-- CreateIndex
CREATE UNIQUE INDEX "ApplicationSecret_hash_key" ON "ApplicationSecret"("hash");

-- CreateIndex
CREATE INDEX "ApplicationSecret_appId_idx" ON "ApplicationSecret"("appId");

-- CreateIndex
CREATE INDEX "ApplicationPermission_permissionId_idx" ON "ApplicationPermission"("permissionId");

-- CreateIndex
CREATE INDEX "ApplicationRole_roleId_idx" ON "ApplicationRole"("roleId");

-- AddForeignKey
ALTER TABLE "Application" ADD CONSTRAINT "Application_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApplicationSecret" ADD CONSTRAINT "ApplicationSecret_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApplicationPermission" ADD CONSTRAINT "ApplicationPermission_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApplicationPermission" ADD CONSTRAINT "ApplicationPermission_permissionId_fkey" FOREIGN KEY ("permissionId") REFERENCES "ApiPermission"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApplicationRole" ADD CONSTRAINT "ApplicationRole_appId_fkey" FOREIGN KEY ("appId") REFERENCES "Application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApplicationRole" ADD CONSTRAINT "ApplicationRole_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

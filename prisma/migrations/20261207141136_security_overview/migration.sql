-- AlterTable
ALTER TABLE "User" ADD COLUMN     "credentialDigest" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "failureAlerts" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ApiTokenPermissionUse" (
    "tokenId" TEXT NOT NULL,
    "permissionId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "ApiTokenPermissionUse_pkey" PRIMARY KEY ("tokenId","permissionId","day")
);

-- CreateTable
CREATE TABLE "ApiClientPermissionUse" (
    "clientId" TEXT NOT NULL,
    "permissionId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "ApiClientPermissionUse_pkey" PRIMARY KEY ("clientId","permissionId","day")
);

-- CreateTable
CREATE TABLE "SignInCount" (
    "hour" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "SignInCount_pkey" PRIMARY KEY ("hour","kind","dimension","value")
);

-- CreateTable
CREATE TABLE "DailyMetric" (
    "day" DATE NOT NULL,
    "metric" TEXT NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "DailyMetric_pkey" PRIMARY KEY ("metric","day")
);

-- CreateTable
CREATE TABLE "RiskAcceptance" (
    "id" TEXT NOT NULL,
    "risk" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "targetKind" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "acceptedById" TEXT,
    "acceptedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiredAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "RiskAcceptance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "job" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "summary" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("job","period")
);

-- CreateIndex
CREATE INDEX "ApiTokenPermissionUse_day_idx" ON "ApiTokenPermissionUse"("day");

-- CreateIndex
CREATE INDEX "ApiClientPermissionUse_day_idx" ON "ApiClientPermissionUse"("day");

-- CreateIndex
CREATE INDEX "SignInCount_kind_hour_idx" ON "SignInCount"("kind", "hour");

-- CreateIndex
CREATE INDEX "RiskAcceptance_risk_targetId_idx" ON "RiskAcceptance"("risk", "targetId");

-- CreateIndex
CREATE INDEX "RiskAcceptance_until_idx" ON "RiskAcceptance"("until");

-- AddForeignKey
ALTER TABLE "ApiTokenPermissionUse" ADD CONSTRAINT "ApiTokenPermissionUse_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiTokenPermissionUse" ADD CONSTRAINT "ApiTokenPermissionUse_permissionId_fkey" FOREIGN KEY ("permissionId") REFERENCES "ApiPermission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientPermissionUse" ADD CONSTRAINT "ApiClientPermissionUse_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ApiClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientPermissionUse" ADD CONSTRAINT "ApiClientPermissionUse_permissionId_fkey" FOREIGN KEY ("permissionId") REFERENCES "ApiPermission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Per-permission use is counted from now on: the least-privilege list judges a credential only on
-- the days since (lib/overview), never "unused" for days nobody counted.
INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES ('permissionUseSince', to_jsonb(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), now())
ON CONFLICT ("key") DO NOTHING;

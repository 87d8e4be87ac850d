-- CreateTable
CREATE TABLE "ApiTokenUse" (
    "tokenId" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "lastUsedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiTokenUse_pkey" PRIMARY KEY ("tokenId","apiId")
);

-- CreateTable
CREATE TABLE "ApiClientUse" (
    "clientId" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "lastUsedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiClientUse_pkey" PRIMARY KEY ("clientId","apiId")
);

-- CreateIndex
CREATE INDEX "ApiTokenUse_apiId_idx" ON "ApiTokenUse"("apiId");

-- CreateIndex
CREATE INDEX "ApiClientUse_apiId_idx" ON "ApiClientUse"("apiId");

-- AddForeignKey
ALTER TABLE "ApiTokenUse" ADD CONSTRAINT "ApiTokenUse_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiTokenUse" ADD CONSTRAINT "ApiTokenUse_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "Api"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientUse" ADD CONSTRAINT "ApiClientUse_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ApiClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientUse" ADD CONSTRAINT "ApiClientUse_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "Api"("id") ON DELETE CASCADE ON UPDATE CASCADE;

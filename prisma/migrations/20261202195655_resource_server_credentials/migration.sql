-- CreateTable
CREATE TABLE "ResourceServerCredential" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ResourceServerCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResourceServerSecret" (
    "id" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "fragment" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "ResourceServerSecret_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ResourceServerCredential_clientId_key" ON "ResourceServerCredential"("clientId");

-- CreateIndex
CREATE INDEX "ResourceServerCredential_apiId_createdAt_idx" ON "ResourceServerCredential"("apiId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ResourceServerSecret_hash_key" ON "ResourceServerSecret"("hash");

-- CreateIndex
CREATE INDEX "ResourceServerSecret_credentialId_idx" ON "ResourceServerSecret"("credentialId");

-- AddForeignKey
ALTER TABLE "ResourceServerCredential" ADD CONSTRAINT "ResourceServerCredential_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "Api"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResourceServerSecret" ADD CONSTRAINT "ResourceServerSecret_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "ResourceServerCredential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

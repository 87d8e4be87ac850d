-- AlterTable
ALTER TABLE "OidcPayload" ADD COLUMN     "sessionId" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "emailVerifiedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "OidcPayload_sessionId_idx" ON "OidcPayload"("sessionId");

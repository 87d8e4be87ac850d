-- AlterTable
ALTER TABLE "ApiClient" ADD COLUMN     "pendingOwnerId" TEXT,
ADD COLUMN     "pendingOwnerProposedBy" TEXT,
ADD COLUMN     "pendingOwnerSince" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ApiClient_pendingOwnerId_idx" ON "ApiClient"("pendingOwnerId");

-- AddForeignKey
ALTER TABLE "ApiClient" ADD CONSTRAINT "ApiClient_pendingOwnerId_fkey" FOREIGN KEY ("pendingOwnerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "ApiClient" ADD COLUMN     "tokensNotBefore" TIMESTAMP(3);

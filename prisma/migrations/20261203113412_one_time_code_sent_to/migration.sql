-- AlterEnum
ALTER TYPE "OneTimeCodePurpose" ADD VALUE 'email_verification';

-- AlterTable
ALTER TABLE "OneTimeCode" ADD COLUMN     "sentTo" TEXT;

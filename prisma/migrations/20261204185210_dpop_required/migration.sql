-- AlterTable
ALTER TABLE "Api" ADD COLUMN     "requireDpop" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ApiClient" ADD COLUMN     "requireDpop" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Application" ADD COLUMN     "requireDpop" BOOLEAN NOT NULL DEFAULT false;

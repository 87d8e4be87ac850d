-- CreateTable
CREATE TABLE "AuditHeadCheckpoint" (
    "lastId" BIGINT NOT NULL,
    "lastHash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditHeadCheckpoint_pkey" PRIMARY KEY ("lastId")
);

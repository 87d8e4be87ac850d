-- CreateIndex
CREATE INDEX "ApiClient_createdAt_id_idx" ON "ApiClient"("createdAt", "id");

-- CreateIndex
CREATE INDEX "ApiToken_createdAt_id_idx" ON "ApiToken"("createdAt", "id");

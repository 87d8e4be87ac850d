-- CreateIndex
CREATE INDEX "ApiClient_name_trgm_idx" ON "ApiClient" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Role_name_trgm_idx" ON "Role" USING GIN ("name" gin_trgm_ops);

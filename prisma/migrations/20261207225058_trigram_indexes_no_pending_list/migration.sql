-- The trigram (GIN) indexes of the substring searches write every insert straight into the index.
-- With GIN's default fastupdate, inserts queue in a pending list (up to gin_pending_list_limit, 4 MB)
-- that every search reads in full and that the planner adds to the index's cost: after a bulk load
-- of 100,000 users the search read ~400 pending pages (5 ms instead of 1 ms) and its cost came
-- within reach of a sequential scan, so the plan depended on when autovacuum last ran.
-- Users, roles and clients are created rarely; searches happen per keystroke.
ALTER INDEX "User_email_trgm_idx" SET (fastupdate = off);
ALTER INDEX "User_name_trgm_idx" SET (fastupdate = off);
ALTER INDEX "Role_name_trgm_idx" SET (fastupdate = off);
ALTER INDEX "ApiClient_name_trgm_idx" SET (fastupdate = off);

-- Turning fastupdate off does not flush what is already pending: move it into the index now.
SELECT gin_clean_pending_list('"User_email_trgm_idx"'::regclass);
SELECT gin_clean_pending_list('"User_name_trgm_idx"'::regclass);
SELECT gin_clean_pending_list('"Role_name_trgm_idx"'::regclass);
SELECT gin_clean_pending_list('"ApiClient_name_trgm_idx"'::regclass);

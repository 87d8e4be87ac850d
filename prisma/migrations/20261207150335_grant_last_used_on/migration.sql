-- AlterTable
ALTER TABLE "ApiClientPermission" ADD COLUMN     "lastUsedOn" DATE;

-- AlterTable
ALTER TABLE "ApiTokenPermission" ADD COLUMN     "lastUsedOn" DATE;

-- What the daily counts already know.
UPDATE "ApiTokenPermission" g SET "lastUsedOn" = u.day
FROM (SELECT "tokenId", "permissionId", max(day) AS day FROM "ApiTokenPermissionUse" GROUP BY 1, 2) u
WHERE u."tokenId" = g."tokenId" AND u."permissionId" = g."permissionId";
UPDATE "ApiClientPermission" g SET "lastUsedOn" = u.day
FROM (SELECT "clientId", "permissionId", max(day) AS day FROM "ApiClientPermissionUse" GROUP BY 1, 2) u
WHERE u."clientId" = g."clientId" AND u."permissionId" = g."permissionId";

/**
 * What the mint form's picker offers of other APIs' permissions (lib/apis/permission-catalog.ts):
 * active APIs that allow personal tokens, the only ones a token may carry, and of those only what
 * the owner holds through roles — owning an API is not holding it (lib/tokens/mint-token.ts).
 */
export const TOKEN_CATALOG = {
  personalTokensOnly: true,
  includeDisabled: false,
  ownershipCounts: false,
} as const;

import { tokenEndpoint } from "@/lib/oauth/token-endpoint";

/**
 * The token endpoint as Next serves it. Behind `npm start`, scripts/server.js answers this URL
 * itself (the OpenID provider's grants, and lib/oauth/token-endpoint.ts for the rest), so this
 * route serves the integration tests and `next dev` without the provider.
 */
export const POST = tokenEndpoint;

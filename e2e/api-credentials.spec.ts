import { dpopKey } from "../test/dpop.ts";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey: a developer mints a personal token in the browser, uses it from a script, and revokes it.
test("a developer mints a token, calls the API with it, and revoking it shuts the API out", async ({
  page,
}) => {
  const developer = await createTestUser({ roles: ["developer"], label: "developer" });
  await page.goto("/login");
  await signIn(page, developer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await expect(page.getByText("No tokens yet")).toBeVisible();

  const form = page.getByRole("form", { name: "New token" });
  await form.getByLabel("Name").fill("Reporting script");
  await form.getByRole("checkbox", { name: /clients\.read/ }).check();
  await expect(form.getByRole("checkbox", { name: /users\.write/ })).toBeDisabled();
  await form.getByLabel("Expires").selectOption("7");
  await form.getByRole("button", { name: "Create token" }).click();

  const token = await page.getByLabel("Your new token").inputValue();
  expect(token).toMatch(/^kw_pat_[0-9A-Za-z]{28}$/);
  await expect(page.getByLabel("Try it")).toHaveValue(new RegExp(`Authorization: Bearer ${token}`));
  const row = page.getByRole("row", { name: /Reporting script/ });
  await expect(row).toContainText(`kw_pat_…${token.slice(-4)}`);
  await expect(row).toContainText("clients.read");

  // A script with the copied token: it acts as the developer, within the token's scope.
  const headers = { authorization: `Bearer ${token}` };
  const me = await page.request.get("/api/v1/me", { headers });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({
    kind: "token",
    email: developer.email,
    permissions: ["clients.read"],
  });
  expect((await page.request.get("/api/v1/clients", { headers })).status()).toBe(200);
  expect(
    (
      await page.request.post("/api/v1/clients", { headers, data: { name: "x", scopes: ["clients.read"] } })
    ).status(),
  ).toBe(403);

  await row.getByRole("button", { name: "Revoke" }).click();
  await page
    .getByRole("dialog", { name: "Revoke Reporting script?" })
    .getByRole("button", { name: "Revoke token" })
    .click();
  await expect(page.getByRole("row", { name: /Reporting script/ })).toContainText("revoked");

  const after = await page.request.get("/api/v1/me", { headers });
  expect(after.status()).toBe(401);
  expect(after.headers()["content-type"]).toBe("application/problem+json");
});

// Journey: a developer registers a service as an API client; the service gets tokens; disabling it stops them.
test("a developer registers an API client whose tokens stop when it is disabled", async ({ page }) => {
  const developer = await createTestUser({ roles: ["developer"], label: "developer" });
  await page.goto("/login");
  await signIn(page, developer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API clients" }).click();
  await page.getByRole("link", { name: "Register client" }).click();
  // The list page has a "Name" filter too: fill in the form only once its page is there.
  await expect(page.getByRole("heading", { name: "Register an API client" })).toBeVisible();
  await page.getByLabel("Name").fill("Billing sync");
  await page.getByLabel("Description").fill("Nightly job");
  await page.getByRole("checkbox", { name: /clients\.read/ }).check();
  await page.getByRole("button", { name: "Register client" }).click();

  const clientId = await page.getByLabel("Client ID").inputValue();
  const secret = await page.getByLabel("Client secret").inputValue();
  expect(secret).toMatch(/^kw_cs_/);

  const issued = await page.request.post("/api/oauth/token", {
    form: { grant_type: "client_credentials", scope: "clients.read" },
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}` },
  });
  expect(issued.status()).toBe(200);
  const { access_token: accessToken } = (await issued.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  expect((await page.request.get("/api/v1/clients", { headers })).status()).toBe(200);
  const jwks = (await (await page.request.get("/.well-known/jwks.json")).json()) as { keys: unknown[] };
  expect(jwks.keys.length).toBeGreaterThan(0);

  await page.goto(`/clients/${clientId}`);
  await page.getByRole("button", { name: "Disable" }).click();
  await page
    .getByRole("dialog", { name: "Disable Billing sync?" })
    .getByRole("button", { name: "Disable client" })
    .click();
  await expect(page.getByText("disabled", { exact: true })).toBeVisible();
  expect((await page.request.get("/api/v1/clients", { headers })).status()).toBe(401);
});

// Journey: a developer hands a client to a colleague, who accepts it; only the colleague then
// holds a working secret.
test("a client changes hands only when the new owner accepts, and only they get the new secret", async ({
  page,
  browser,
}) => {
  const developer = await createTestUser({ roles: ["developer"], label: "developer" });
  const colleague = await createTestUser({ roles: ["developer"], label: "colleague" });
  const name = `Inventory sync ${colleague.id.slice(-6)}`;
  await page.goto("/login");
  await signIn(page, developer);
  await page.goto("/clients/new");
  await expect(page.getByRole("heading", { name: "Register an API client" })).toBeVisible();
  await page.getByLabel("Name").fill(name);
  await page.getByRole("checkbox", { name: /clients\.read/ }).check();
  await page.getByRole("button", { name: "Register client" }).click();
  const clientId = await page.getByLabel("Client ID").inputValue();
  const oldSecret = await page.getByLabel("Client secret").inputValue();
  const tokenWith = (secret: string) =>
    page.request.post("/api/oauth/token", {
      form: { grant_type: "client_credentials", scope: "clients.read" },
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}` },
    });

  await page.goto(`/clients/${clientId}`);
  const propose = page.getByRole("form", { name: "Propose a new owner" });
  await propose.getByLabel("New owner’s email").fill(colleague.email);
  await propose.getByRole("button", { name: "Propose owner" }).click();
  await expect(page.getByText(/becomes theirs when they accept/).first()).toBeVisible();
  // Nothing changed hands yet.
  expect((await tokenWith(oldSecret)).status()).toBe(200);

  const other = await (await browser.newContext()).newPage();
  await other.goto("/login");
  await signIn(other, colleague);
  await other.goto("/clients");
  const notice = other.getByRole("region", { name: "An API client is offered to you" });
  await expect(notice).toContainText(name);
  await expect(notice).toContainText(`proposed by ${developer.email}`);
  const accept = notice.getByRole("form", { name: `Accept ${name}` });
  await accept.getByLabel("Keep the old secret working for").selectOption("0");
  await accept.getByRole("button", { name: "Accept" }).click();
  const newSecret = await notice.getByLabel("Your client secret").inputValue();
  expect(newSecret).toMatch(/^kw_cs_/);
  expect(newSecret).not.toBe(oldSecret);
  // The secret stays on screen after the page refreshed its data.
  await expect(other.getByRole("row", { name: new RegExp(name) })).toContainText(colleague.email);
  await expect(notice.getByLabel("Your client secret")).toHaveValue(newSecret);

  // The previous owner's secret stopped; the new owner's works.
  expect((await tokenWith(oldSecret)).status()).toBe(401);
  expect((await tokenWith(newSecret)).status()).toBe(200);
  await page.reload();
  await expect(page.getByText(`${colleague.name} (${colleague.email})`)).toBeVisible();
});

// Journey (issue 16): a developer sets a client to require DPoP; its page says so, a token request
// without a proof is refused, and one proving the client's key gets a token bound to that key.
test("a developer makes a client require DPoP, sees it on its page, and only proofs of its key get tokens", async ({
  page,
}) => {
  const developer = await createTestUser({ roles: ["developer"], label: "dpop-developer" });
  const name = `Ledger export ${developer.id.slice(-6)}`;
  await page.goto("/login");
  await signIn(page, developer);
  await page.goto("/clients/new");
  await expect(page.getByRole("heading", { name: "Register an API client" })).toBeVisible();
  const register = page.getByRole("form", { name: "Register a client" });
  await register.getByLabel("Name", { exact: true }).fill(name);
  await expect(
    register.getByLabel("Require DPoP (sender-constrained tokens)", { exact: true }),
  ).not.toBeChecked();
  await register.getByRole("checkbox", { name: /clients\.read/ }).check();
  await register.getByRole("button", { name: "Register client" }).click();
  const clientId = await page.getByLabel("Client ID", { exact: true }).inputValue();
  const secret = await page.getByLabel("Client secret", { exact: true }).inputValue();

  await page.goto(`/clients/${clientId}`);
  const about = page.getByRole("region", { name: "About" });
  await expect(about.getByText("Bearer or DPoP", { exact: true })).toBeVisible();
  const edit = page.getByRole("form", { name: `Edit ${name}` });
  const requireDpop = edit.getByLabel("Require DPoP (sender-constrained tokens)", { exact: true });
  await expect(requireDpop).toHaveAccessibleDescription(/a copied token is useless/);
  await requireDpop.check();
  await edit.getByRole("button", { name: "Save client" }).click();
  await expect(about.getByText("DPoP-bound (required)", { exact: true })).toBeVisible();
  // The edit form starts from what is stored.
  await page.reload();
  await expect(
    page
      .getByRole("form", { name: `Edit ${name}` })
      .getByLabel("Require DPoP (sender-constrained tokens)", { exact: true }),
  ).toBeChecked();

  // Its service: without a proof, no token; proving its key (after the server's nonce), a bound one.
  const metadata = (await (await page.request.get("/.well-known/oauth-authorization-server")).json()) as {
    token_endpoint: string;
  };
  const key = await dpopKey();
  const tokenRequest = (proof?: string) =>
    page.request.post("/api/oauth/token", {
      form: { grant_type: "client_credentials", scope: "clients.read" },
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
        ...(proof ? { dpop: proof } : {}),
      },
    });
  const bearer = await tokenRequest();
  expect(bearer.status()).toBe(400);
  expect(await bearer.json()).toMatchObject({ error: "invalid_dpop_proof" });
  const htu = metadata.token_endpoint;
  const first = await tokenRequest(await key.proof({ htm: "POST", htu }));
  expect(await first.json()).toMatchObject({ error: "use_dpop_nonce" });
  const nonce = first.headers()["dpop-nonce"] ?? "";
  const bound = await tokenRequest(await key.proof({ htm: "POST", htu, nonce }));
  expect(bound.status()).toBe(200);
  expect(await bound.json()).toMatchObject({ token_type: "DPoP" });
});

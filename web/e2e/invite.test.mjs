// Invite-only sign-up (PARLEY_SIGNUP=invite): the admin creates an invite in
// the admin UI, a newcomer signs up with its code, and a sign-up without a
// valid code is refused with a message that says why.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startStack } from "./harness.mjs";
import { newPage, sessionHeaders, shot, signIn } from "./helpers.mjs";

const admin = { email: "root@example.com", password: "invite admin passphrase", name: "Root" };
const guest = { email: "guest@example.com", password: "guest long passphrase", name: "Gail Guest" };

/** fillSignUp fills the sign-up form; code null leaves the invite code empty. */
async function fillSignUp(page, webUrl, who, code) {
  await page.goto(`${webUrl}/signup`);
  await page.getByLabel("Name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  if (code !== null) await page.getByLabel("Invite code").fill(code);
}

describe("invite-only sign-up", () => {
  let s;
  let code;
  before(async () => {
    s = await startStack({ parleyEnv: { PARLEY_SIGNUP: "invite" } });
    // With sign-up by invitation, the first admin comes from the command line.
    s.cli(["user", "create", "--email", admin.email, "--name", admin.name, "--admin"], { PARLEY_USER_PASSWORD: admin.password });
  });
  after(async () => {
    await s?.stop();
  });

  it("lets the admin create an invite in the admin UI", async () => {
    const page = await newPage(s.browser);
    await signIn(page, s.webUrl, admin);
    await page.goto(`${s.webUrl}/admin/users`);
    await page.getByLabel("Email (optional)").fill(guest.email);
    await page.getByRole("button", { name: "Create invite" }).click();
    const shown = page.getByRole("status").filter({ hasText: "Invite code:" });
    await shown.waitFor();
    code = (await shown.locator(".secret").textContent()).trim();
    assert.ok(code.length >= 8, `an invite code (${code})`);
    await shot(page, "14-admin-invite");
    await page.context().close();
  });

  it("refuses a sign-up without a code, in the form and at the API, saying why", async () => {
    const page = await newPage(s.browser);
    const posted = [];
    page.on("request", (r) => r.url().includes("/api/v1/auth/register") && posted.push(r.url()));
    await fillSignUp(page, s.webUrl, guest, null);
    await page.getByRole("button", { name: "Sign up" }).click();
    // The browser holds the form back: the code is a required field.
    const native = await page.getByLabel("Invite code").evaluate((el) => el.validationMessage);
    assert.ok(native.length > 0, "the empty invite code field is flagged");
    assert.deepEqual(posted, []);
    assert.equal(new URL(page.url()).pathname, "/signup");

    // Without the browser's check (a scripted client), the API refuses and the form says why.
    await page.getByLabel("Invite code").evaluate((el) => el.removeAttribute("required"));
    await page.getByRole("button", { name: "Sign up" }).click();
    const err = page.locator("#invite_code-err");
    await err.waitFor();
    assert.equal(await err.textContent(), "Invite code is required: sign-up is by invitation.");
    await shot(page, "15-signup-without-invite");

    // A made-up code is refused as well.
    await page.getByLabel("Invite code").fill("not-a-real-code");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByText("Invite code is invalid, used or expired.").waitFor();

    // Straight through the BFF: 422 with the field named.
    const r = await fetch(`${s.webUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { ...(await sessionHeaders(page, s.webUrl)), "content-type": "application/json" },
      body: JSON.stringify({ email: guest.email, password: guest.password }),
    });
    assert.equal(r.status, 422);
    const p = await r.json();
    assert.deepEqual(p.errors, [{ field: "invite_code", message: "is required: sign-up is by invitation" }]);
    await page.context().close();
  });

  it("signs the newcomer up with the code, once", async () => {
    const page = await newPage(s.browser);
    await fillSignUp(page, s.webUrl, guest, code);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(/\/chat$/);
    assert.equal(await page.getByTestId("whoami").textContent(), guest.name);
    await page.context().close();

    const again = await newPage(s.browser);
    await fillSignUp(again, s.webUrl, { ...guest, email: "second@example.com" }, code);
    await again.getByRole("button", { name: "Sign up" }).click();
    await again.getByText("Invite code is invalid, used or expired.").waitFor();
    await again.context().close();
  });
});

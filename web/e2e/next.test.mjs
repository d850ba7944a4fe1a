// The sign-in redirect (`next`) in Chromium: whatever a link to the sign-in
// page carries, the browser ends on this app's origin, at the chat when the
// value is refused (lib/safe-next.ts; unit cases in test/safe-next.test.ts).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startStack } from "./harness.mjs";
import { newPage, signUp } from "./helpers.mjs";

const who = { email: "next@example.com", password: "next long passphrase", name: "Nora Next" };

// Each would take a browser off the origin (or could, through a server that decodes slashes).
const HOSTILE = [
  "//evil.example/",
  "/\\evil.example/",
  "/\\/evil.example/",
  "/\t/evil.example/",
  "/\n/evil.example/",
  "/\r\n/evil.example/",
  "/%2F/evil.example/",
  "/%2f%2fevil.example/",
  "/%5C/evil.example/",
  "%2F%2Fevil.example/",
  "javascript:alert(document.domain)",
  "https://evil.example/",
  "http:evil.example",
  "//user@evil.example/",
  "evil.example/chat",
];

describe("the sign-in redirect stays on the app's origin", () => {
  let s;
  let origin;
  before(async () => {
    s = await startStack();
    origin = new URL(s.webUrl).origin;
    const page = await newPage(s.browser);
    await signUp(page, s.webUrl, who);
    await page.context().close();
  });
  after(async () => {
    await s?.stop();
  });

  /** signInWith signs in on /login?next=<next> in a fresh context and returns where the browser ended and every other host it tried. */
  async function signInWith(next) {
    const page = await newPage(s.browser);
    const elsewhere = [];
    // Another host answers with a page of its own, so leaving the origin is seen rather than a network error.
    await page.context().route("**/*", (route) => {
      const u = new URL(route.request().url());
      if (u.origin === origin) return route.continue();
      elsewhere.push(u.href);
      return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
    });
    let alerted = false;
    page.on("dialog", (d) => {
      alerted = true;
      void d.dismiss();
    });
    await page.goto(`${s.webUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Email").fill(who.email);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.origin !== origin || !u.pathname.startsWith("/login"));
    if (new URL(page.url()).origin === origin) await page.getByTestId("account-menu").waitFor();
    const at = page.url();
    await page.context().close();
    return { at, elsewhere, alerted };
  }

  for (const next of HOSTILE) {
    it(`refuses next=${JSON.stringify(next)}: the chat of this origin`, async () => {
      const r = await signInWith(next);
      assert.equal(r.at, `${origin}/chat`, `next=${JSON.stringify(next)} ended at ${r.at}`);
      assert.deepEqual(r.elsewhere, [], "the browser asked another host");
      assert.equal(r.alerted, false, "a script ran from next");
    });
  }

  it("follows a same-origin path", async () => {
    const r = await signInWith("/settings");
    assert.equal(r.at, `${origin}/settings`);
  });
});

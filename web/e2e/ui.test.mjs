// The look and feel, in Chromium: every page in light and dark, on a desktop
// (1440×900) and a phone (390×844), screenshotted and checked with axe-core;
// themes that paint right from the first byte; languages (one right-to-left)
// from the browser and from settings; keyboard-only use; auto-scroll; answer
// speed; the installable app and its offline page.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startStack } from "./harness.mjs";
import { axeCheck, newPage, sendMessage, shot, signIn, signUp, waitForAnswer, watchAssistant } from "./helpers.mjs";

const admin = { email: "ui-admin@example.com", password: "correct horse battery", name: "Ada Admin" };
const user = { email: "ui-user@example.com", password: "another long passphrase", name: "Uma User" };
const DEVICES = {
  desktop: { viewport: { width: 1440, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
const RICH = "Hello **bold** and `inline code`, Euler $e^{i\\pi}+1=0$, a [link](https://example.com)";

/** signInAnyLanguage signs in through the form by its fields' ids, whatever language it speaks. */
async function signInAnyLanguage(page, webUrl, who) {
  await page.goto(`${webUrl}/login`);
  await page.locator("#email").fill(who.email);
  await page.locator("#password").fill(who.password);
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL(/\/chat$/);
}

/** themed opens a page with a theme preference cookie (the server paints it) for one device. */
async function themed(s, theme, device, extra = {}) {
  const page = await newPage(s.browser, { ...DEVICES[device], ...extra });
  await page.context().addCookies([{ name: "parley_theme", value: theme, url: s.webUrl }]);
  return page;
}

describe("parley's interface", () => {
  let s;
  let convId;
  before(async () => {
    s = await startStack();
    const p = await newPage(s.browser);
    await signUp(p, s.webUrl, admin);
    await sendMessage(p, RICH);
    await waitForAnswer(p, 0);
    convId = /\/chat\/([^/]+)$/.exec(p.url())[1];
    await p.context().close();
    const u = await newPage(s.browser);
    await signUp(u, s.webUrl, user);
    await u.context().close();
  });
  after(async () => {
    await s?.stop();
  });

  // Each page: where it is, who looks, and what shows that it is ready.
  const PAGES = [
    { name: "sign-in", path: "/login", who: null, ready: (p) => p.getByRole("button", { name: "Sign in" }).waitFor() },
    { name: "sign-up", path: "/signup", who: null, ready: (p) => p.getByRole("button", { name: "Sign up" }).waitFor() },
    { name: "chat-empty", path: "/chat", who: admin, ready: (p) => p.getByRole("heading", { name: "What can I help you with?" }).waitFor() },
    {
      name: "chat",
      path: () => `/chat/${convId}`,
      who: admin,
      ready: async (p) => {
        await p.getByTestId("assistant-body").locator(".katex").first().waitFor();
        await p.getByTestId("answer-stats").first().waitFor();
      },
    },
    {
      name: "chat-shortcuts",
      path: "/chat",
      who: admin,
      ready: async (p) => {
        await p.getByRole("heading", { name: "What can I help you with?" }).waitFor();
        await p.keyboard.press("Control+/");
        await p.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
      },
    },
    {
      name: "chat-sidebar",
      path: "/chat",
      who: admin,
      phoneOnly: true,
      ready: async (p) => {
        await p.getByRole("button", { name: "Conversations" }).click();
        await p.getByTestId("conversation-list").getByRole("link").first().waitFor();
      },
    },
    { name: "settings", path: "/settings", who: admin, ready: (p) => p.getByTestId("usage-summary").waitFor() },
    { name: "admin-users", path: "/admin/users", who: admin, ready: (p) => p.getByTestId("users-table").getByText(user.email).waitFor() },
    { name: "admin-keys", path: "/admin/keys", who: admin, ready: (p) => p.getByTestId("pool-key").first().waitFor() },
    { name: "admin-audit", path: "/admin/audit", who: admin, ready: (p) => p.getByTestId("audit-table").locator("tbody tr").first().waitFor() },
    { name: "status", path: "/status", who: null, ready: (p) => p.getByTestId("status-overall").waitFor() },
    { name: "forbidden", path: "/admin/users", who: user, ready: (p) => p.getByTestId("forbidden").waitFor() },
    { name: "not-found", path: "/no/such/page", who: null, ready: (p) => p.getByRole("heading", { name: "Page not found" }).waitFor() },
    { name: "offline", path: "/offline", who: null, ready: (p) => p.getByRole("heading", { name: "You are offline" }).waitFor() },
  ];

  for (const theme of ["light", "dark"]) {
    for (const device of ["desktop", "phone"]) {
      it(`shows every page well in ${theme} on a ${device}, without an accessibility violation or a CSP report`, async () => {
        const pages = new Map();
        try {
          for (const pg of PAGES) {
            if (pg.phoneOnly && device !== "phone") continue;
            const key = pg.who?.email ?? "anonymous";
            if (!pages.has(key)) {
              const p = await themed(s, theme, device);
              if (pg.who) await signIn(p, s.webUrl, pg.who);
              pages.set(key, p);
            }
            const p = pages.get(key);
            await p.goto(s.webUrl + (typeof pg.path === "function" ? pg.path() : pg.path));
            await pg.ready(p);
            assert.equal(await p.evaluate(() => document.documentElement.className), theme, `${pg.name}: the server painted the ${theme} theme`);
            const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `${pg.name} (${device}): no sideways scrolling (overflow ${overflow}px)`);
            await shot(p, `${pg.name}-${theme}-${device}`);
            await axeCheck(p, `${pg.name}, ${theme}, ${device}`);
            assert.deepEqual(p.problems, [], `${pg.name}: no CSP violation or page error`);
          }
        } finally {
          for (const p of pages.values()) await p.context().close();
        }
      });
    }
  }

  it("remembers the theme and paints it from the first byte; System follows the device", async () => {
    const p = await newPage(s.browser, { colorScheme: "light" });
    await signIn(p, s.webUrl, admin);
    await p.goto(`${s.webUrl}/settings`);
    const bg = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await bg(), "rgb(255, 255, 255)", "System on a light device is light");
    await p.locator("label", { hasText: "Dark" }).click();
    assert.equal(await p.getByRole("radio", { name: "Dark" }).isChecked(), true);
    assert.equal(await p.evaluate(() => document.documentElement.className), "dark", "applied at once");
    assert.equal(await bg(), "rgb(11, 11, 15)");
    // The server writes the class into the HTML it sends: no flash of the wrong theme, no script needed.
    const res = await p.goto(`${s.webUrl}/chat`);
    assert.match(await res.text(), /<html[^>]*class="dark"/);
    await p.goto(`${s.webUrl}/settings`);
    await p.locator("label", { hasText: "System" }).click();
    const html = await (await p.goto(`${s.webUrl}/settings`)).text();
    assert.doesNotMatch(/<html[^>]*>/.exec(html)[0], /class=/, "System sets no class");
    await p.emulateMedia({ colorScheme: "dark" });
    assert.equal(await bg(), "rgb(11, 11, 15)", "System on a dark device is dark");
    await p.context().close();
  });

  it("speaks the browser's language, right to left for Arabic, and changes it in settings", async () => {
    const p = await newPage(s.browser, { ...DEVICES.desktop, locale: "ar-EG" });
    await signInAnyLanguage(p, s.webUrl, admin);
    await p.goto(`${s.webUrl}/chat/${convId}`);
    await p.getByTestId("assistant-body").first().waitFor();
    assert.deepEqual(await p.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ["ar", "rtl"]);
    await p.getByRole("button", { name: "محادثة جديدة" }).waitFor();
    // Mirrored: the sidebar on the right, the user's bubble on the left.
    const aside = await p.locator("aside").boundingBox();
    const main = await p.locator("main").boundingBox();
    assert.ok(aside.x > main.x, `sidebar at x=${aside.x}, right of the conversation at x=${main.x}`);
    const bubble = await p.getByTestId("user-message").first().locator("div").first().boundingBox();
    assert.ok(bubble.x < main.x + main.width / 2, "the user's message sits on the left");
    await shot(p, "chat-ar-desktop");
    await axeCheck(p, "chat, Arabic");
    await p.goto(`${s.webUrl}/settings`);
    await p.getByLabel("اللغة", { exact: true }).selectOption("fr");
    await p.getByRole("heading", { level: 1, name: "Paramètres" }).waitFor();
    assert.deepEqual(await p.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ["fr", "ltr"]);
    await p.reload();
    await p.getByRole("heading", { level: 1, name: "Paramètres" }).waitFor();
    // Numbers and dates in French: "1 234" groups with a narrow space, months in French.
    const usage = await p.getByTestId("usage-summary").textContent();
    assert.match(usage, /jetons utilisés .*Remise à zéro le \d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)/);
    await shot(p, "settings-fr-desktop");
    await p.context().close();
    const phone = await newPage(s.browser, { ...DEVICES.phone, locale: "ar" });
    await signInAnyLanguage(phone, s.webUrl, admin);
    await phone.goto(`${s.webUrl}/chat/${convId}`);
    await phone.getByTestId("assistant-body").first().waitFor();
    await shot(phone, "chat-ar-phone");
    await phone.getByRole("button", { name: "المحادثات" }).click();
    const sheet = await phone.getByRole("dialog").boundingBox();
    assert.ok(sheet.x + sheet.width >= 389, "the sheet slides in from the right edge");
    await shot(phone, "chat-sidebar-ar-phone");
    await phone.context().close();
  });

  it("is usable from the keyboard alone, with the shortcuts of the help sheet", async () => {
    const p = await newPage(s.browser, DEVICES.desktop);
    await p.goto(`${s.webUrl}/login`);
    const focused = () => p.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent);
    for (let i = 0; i < 6 && (await focused()) !== "email"; i++) await p.keyboard.press("Tab");
    assert.equal(await focused(), "email", "Tab reaches the email field");
    await p.keyboard.type(admin.email);
    await p.keyboard.press("Tab");
    await p.keyboard.type(admin.password);
    await p.keyboard.press("Enter");
    await p.waitForURL(/\/chat$/);
    await p.getByTestId("conversation-list").getByRole("link").first().waitFor();

    await p.keyboard.press("Control+k");
    await p.waitForFunction(() => document.activeElement?.id === "conv-search"); // Ctrl+K focuses the search
    await p.keyboard.press("Control+Shift+O");
    await p.waitForFunction(() => document.activeElement?.id === "prompt");
    await watchAssistant(p);
    await p.keyboard.type("Typed with the keyboard only");
    await p.keyboard.press("Enter");
    await waitForAnswer(p, 0);
    assert.match(await p.getByTestId("assistant-body").last().textContent(), /groqmock heard: Typed with the keyboard only/);

    await p.keyboard.press("Shift+Escape");
    await p.waitForFunction(() => document.activeElement?.id === "prompt");
    await p.keyboard.press("ArrowUp");
    await p.getByText("Editing a sent message is not available yet.").waitFor();

    await p.keyboard.press("Control+/");
    const help = p.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    assert.ok((await help.getByRole("listitem").count()) >= 8);
    await p.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });

    await p.keyboard.press("Control+Shift+S");
    await p.locator("aside").waitFor({ state: "detached" });
    await p.keyboard.press("Control+Shift+S");
    await p.locator("aside").waitFor();

    // Esc stops a streaming answer.
    await watchAssistant(p);
    await p.getByLabel("Message", { exact: true }).focus();
    await p.keyboard.type("long ".repeat(300));
    await p.keyboard.press("Enter");
    await p.waitForFunction(() => (window.__answer?.changes.length ?? 0) >= 2, null, { timeout: 30_000 });
    await p.keyboard.press("Escape");
    await p.getByText("Stopped before the end.").waitFor();

    // Rename through the keyboard: Tab to the row's button, Enter, type, Enter.
    const row = p.getByTestId("conversation-list").getByRole("listitem").first();
    await row.getByRole("link").focus();
    await p.keyboard.press("Tab");
    assert.match(await focused(), /^Rename /);
    await p.keyboard.press("Enter");
    await p.keyboard.press("Control+a");
    await p.keyboard.type("Renamed by keys");
    await p.keyboard.press("Enter");
    await p.getByTestId("conversation-list").getByRole("link", { name: "Renamed by keys" }).waitFor();
    assert.deepEqual(p.problems, []);
    await p.context().close();
  });

  it("follows a streaming answer until the user scrolls up, then offers to scroll down", async () => {
    const p = await newPage(s.browser, DEVICES.desktop);
    await signIn(p, s.webUrl, admin);
    await watchAssistant(p);
    await sendMessage(p, "scroll ".repeat(500));
    const log = p.getByRole("log");
    await p.waitForFunction(() => {
      const el = document.querySelector('[role="log"]');
      return el && el.scrollHeight > el.clientHeight + 300;
    }, null, { timeout: 30_000 });
    const gap = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok((await gap()) <= 48, "it keeps to the end while the answer grows");
    await log.hover();
    await p.mouse.wheel(0, -600);
    const toBottom = p.getByRole("button", { name: "Scroll to bottom" });
    await toBottom.waitFor();
    const top = await log.evaluate((el) => el.scrollTop);
    const n = (await p.evaluate(() => window.__answer.changes.length)) + 5;
    await p.waitForFunction((k) => window.__answer.changes.length >= k, n);
    assert.equal(await log.evaluate((el) => el.scrollTop), top, "the view stays where the user put it while text arrives");
    await toBottom.click();
    await p.waitForFunction(() => {
      const el = document.querySelector('[role="log"]');
      return el.scrollHeight - el.scrollTop - el.clientHeight <= 48;
    });
    await toBottom.waitFor({ state: "detached" });
    await p.getByRole("button", { name: "Stop" }).click();
    await p.context().close();
  });

  it("shows each answer's speed and token counts, and copies a message", async () => {
    const p = await newPage(s.browser, { ...DEVICES.desktop, permissions: ["clipboard-read", "clipboard-write"] });
    await signIn(p, s.webUrl, admin);
    await sendMessage(p, "How fast are you?");
    await waitForAnswer(p, 0);
    const stats = await p.getByTestId("answer-stats").last().textContent();
    assert.match(stats, /^\d+ tok\/s · first token \d+\.\d\d s · \d+ tokens/, stats);
    const tokens = Number(/(\d+) tokens/.exec(stats)[1]);
    const conv = await p.evaluate(async (id) => (await fetch(`/api/v1/conversations/${id}`)).json(), /\/chat\/([^/]+)$/.exec(p.url())[1]);
    assert.equal(tokens, conv.messages.at(-1).completion_tokens, "the count is the one the API stored");
    await p.getByTestId("assistant-message").last().getByRole("button", { name: "Copy message" }).click();
    assert.equal(await p.evaluate(() => navigator.clipboard.readText()), conv.messages.at(-1).content);
    await p.context().close();
  });

  it("installs as an app: manifest, generated icons, and an offline page the service worker keeps", async () => {
    const m = await (await fetch(`${s.webUrl}/manifest.webmanifest`)).json();
    assert.equal(m.start_url, "/chat");
    assert.equal(m.display, "standalone");
    assert.ok(m.icons.some((i) => i.purpose === "maskable"));
    for (const icon of [...m.icons, { src: "/icons/apple-touch-icon.png", sizes: "180x180" }]) {
      const r = await fetch(s.webUrl + icon.src);
      assert.equal(r.status, 200, icon.src);
      assert.equal(r.headers.get("content-type"), "image/png");
      const b = Buffer.from(await r.arrayBuffer());
      assert.equal(b.subarray(1, 4).toString(), "PNG");
      assert.equal(`${b.readUInt32BE(16)}x${b.readUInt32BE(20)}`, icon.sizes, `${icon.src} is as large as declared`);
    }
    const off = await fetch(`${s.webUrl}/offline`, { headers: { "accept-language": "fr" } });
    const csp = off.headers.get("content-security-policy");
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.match(await off.text(), /<html lang="fr" dir="ltr">.*Vous êtes hors ligne/);

    const p = await newPage(s.browser, DEVICES.desktop);
    await signIn(p, s.webUrl, admin);
    await p.evaluate(() => navigator.serviceWorker.ready);
    await sendMessage(p, "Is anything cached?");
    await waitForAnswer(p, 0);
    await p.goto(`${s.webUrl}/settings`);
    const cached = await p.evaluate(async () => {
      const out = [];
      for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) out.push(new URL(r.url).pathname);
      return out;
    });
    assert.deepEqual(cached, ["/offline"], "the worker keeps the offline page and nothing else: no API answer, no signed-in page");
    await p.context().setOffline(true);
    await p.goto(`${s.webUrl}/chat`).catch(() => null);
    await p.getByRole("heading", { name: "You are offline" }).waitFor();
    await shot(p, "offline-served-by-worker");
    await p.context().setOffline(false);
    await p.context().close();
  });
});

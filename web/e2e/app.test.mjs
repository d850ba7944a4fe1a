// End-to-end tests in Debian's Chromium against the real API (SQLite),
// groqmock and the built Next.js standalone server.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { GROQ_KEY, startStack } from "./harness.mjs";
import {
  answerChanges,
  apiLogin,
  apiTimeToFirstToken,
  axeCheck,
  fingerprint,
  median,
  newPage,
  rawRequest,
  sendMessage,
  sessionHeaders,
  shot,
  signIn,
  signOut,
  signUp,
  waitForAnswer,
  watchAssistant,
} from "./helpers.mjs";

const run = Date.now().toString(36);
const admin = { email: `admin-${run}@example.com`, password: "correct horse battery", name: "Ada Admin" };
const user = { email: `user-${run}@example.com`, password: "another long passphrase", name: "Uma User" };

describe("parley web app", () => {
  let s;
  let page;
  const measures = {};

  before(async () => {
    s = await startStack();
    page = await newPage(s.browser);
  });
  after(async () => {
    if (Object.keys(measures).length) console.log("MEASUREMENTS " + JSON.stringify(measures));
    await s?.stop();
  });

  it("serves pages with a nonce CSP and the security headers", async () => {
    const res = await fetch(`${s.webUrl}/login`);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)[1];
    const html = await res.text();
    assert.ok(html.includes(`nonce="${nonce}"`), "the page's scripts carry this request's nonce");
    const again = await fetch(`${s.webUrl}/login`);
    assert.notEqual(/'nonce-([^']+)'/.exec(again.headers.get("content-security-policy"))[1], nonce, "a fresh nonce per request");
    assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d+/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.ok(res.headers.get("referrer-policy"));
    assert.ok(res.headers.get("permissions-policy"));
    const api = await fetch(`${s.webUrl}/api/v1/me`);
    assert.equal(api.status, 401);
    assert.equal(api.headers.get("x-content-type-options"), "nosniff");
    // A cross-site sign-up attempt is refused by the BFF before it reaches the API.
    const forged = await fetch(`${s.webUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site", cookie: "parley_csrf=x", "x-csrf-token": "x" },
      body: JSON.stringify({ email: "forged@example.com", password: "whatever whatever" }),
    });
    assert.equal(forged.status, 403);
    const noToken = await fetch(`${s.webUrl}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(noToken.status, 403, "no double-submit token, no login");
  });

  it("passes the real client address on, whatever X-Forwarded-For the client claims", async () => {
    const rid = `e2e-xff-${run}`;
    // Connect from 127.0.0.2 and claim to be 203.0.113.9.
    const status = await new Promise((resolve, reject) => {
      const u = new URL(`${s.webUrl}/api/v1/me`);
      const r = http.get(
        { host: u.hostname, port: u.port, path: u.pathname, localAddress: "127.0.0.2", headers: { "x-forwarded-for": "203.0.113.9", "x-request-id": rid } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      r.on("error", reject);
    });
    assert.equal(status, 401);
    s.probeRequestId = rid;
  });

  it("sends a signed-out visitor of the chat to the sign-in page", async () => {
    await page.goto(`${s.webUrl}/chat`);
    await page.waitForURL(/\/login\?next=%2Fchat/);
    assert.ok(page.url().startsWith(`${s.webUrl}/login`), `stays on the host the browser used: ${page.url()}`);
    await shot(page, "01-sign-in");
    await axeCheck(page, "sign-in");
  });

  it("signs up (the first account is the admin) and keeps the tokens out of JavaScript", async () => {
    await page.goto(`${s.webUrl}/signup`);
    await shot(page, "02-sign-up");
    await axeCheck(page, "sign-up");
    await signUp(page, s.webUrl, admin);
    const cookies = await page.context().cookies();
    const rt = cookies.find((c) => c.name === "parley_rt");
    assert.ok(rt && rt.httpOnly && rt.sameSite === "Strict", "refresh token in an httpOnly SameSite=Strict cookie");
    assert.ok(cookies.find((c) => c.name === "parley_at")?.httpOnly, "access token in an httpOnly cookie");
    const visible = await page.evaluate(() => document.cookie);
    assert.doesNotMatch(visible, /parley_rt|parley_at/);
    assert.match(visible, /parley_csrf=/);
  });

  it("renews an expired access token on the server, for pages and API calls", async () => {
    const ctx = page.context();
    const rt0 = (await ctx.cookies()).find((c) => c.name === "parley_rt").value;
    // The access cookie ends 30 s before its token: drop it as the browser would.
    await ctx.clearCookies({ name: "parley_at" });
    await page.goto(`${s.webUrl}/settings`);
    await page.getByTestId("usage-summary").waitFor();
    const jar = await ctx.cookies();
    assert.ok(jar.find((c) => c.name === "parley_at"), "a new access cookie");
    assert.notEqual(jar.find((c) => c.name === "parley_rt").value, rt0, "the refresh token was rotated");
    // Again, this time with a burst of API calls racing to renew it at once.
    await ctx.clearCookies({ name: "parley_at" });
    const statuses = await page.evaluate(() => Promise.all([1, 2, 3, 4].map(async () => (await fetch("/api/v1/me")).status)));
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    await page.reload();
    await page.getByTestId("usage-summary").waitFor();
    await page.goto(`${s.webUrl}/chat`);
  });

  it("streams an answer token by token", async () => {
    await watchAssistant(page);
    await sendMessage(page, "Hello from the end-to-end test, please answer with `code`");
    await waitForAnswer(page, 0);
    assert.equal(await page.getByTestId("chat-error").count(), 0);
    const a = await answerChanges(page);
    const final = await page.getByTestId("assistant-body").last().textContent();
    assert.match(final, /groqmock heard: Hello from the end-to-end test/);
    assert.ok(a.changes.length >= 5, `the answer grew in ${a.changes.length} steps, expected token by token`);
    for (let i = 1; i < a.changes.length; i++) assert.ok(a.changes[i].text.length >= a.changes[i - 1].text.length);
    assert.equal(a.changes[a.changes.length - 1].text, final);
    await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
    await shot(page, "03-chat");
    await axeCheck(page, "chat");
    assert.deepEqual(page.problems, [], "no CSP violations or page errors");
  });

  it("compresses pages and scripts, and passes event streams through unbuffered to a gzip client", async () => {
    const gzip = { "accept-encoding": "gzip, deflate, br" };
    const html = await rawRequest(`${s.webUrl}/login`, { headers: gzip });
    assert.equal(html.status, 200);
    assert.equal(html.headers["content-encoding"], "gzip", "the sign-in page is gzipped");
    const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html.reads.map((r) => r.text).join(""))[1];
    const js = await rawRequest(`${s.webUrl}${script}`, { headers: gzip });
    assert.equal(js.status, 200);
    assert.equal(js.headers["content-encoding"], "gzip", `${script} is gzipped`);

    // A message streamed through the proxy by a client that accepts gzip, as every browser does.
    const session = await sessionHeaders(page, s.webUrl);
    const created = await rawRequest(`${s.webUrl}/api/v1/conversations`, {
      method: "POST",
      headers: { ...gzip, ...session, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(created.status, 201);
    const conv = JSON.parse(created.reads.map((r) => r.text).join(""));
    const sse = await rawRequest(`${s.webUrl}/api/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { ...gzip, ...session, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ content: "stream me through gzip ".repeat(12) }),
    });
    assert.equal(sse.status, 200);
    assert.match(sse.headers["content-type"], /^text\/event-stream/);
    assert.match(sse.headers["cache-control"], /no-transform/);
    assert.equal(sse.headers["content-encoding"], undefined, "event streams are not compressed");
    const deltas = sse.reads.filter((r) => r.text.includes("event: delta"));
    const done = sse.reads.findIndex((r) => r.text.includes("event: done"));
    assert.ok(done >= 0, "the stream ends with its done event");
    assert.ok(deltas.length >= 10, `the events arrived in ${deltas.length} reads, expected one by one`);
    const first = deltas[0].t;
    const last = sse.reads[done].t;
    // groqmock streams ~70 tokens at 40 per second: a buffered stream would deliver its first event with its last.
    assert.ok(first < last / 2, `first event at ${Math.round(first)} ms, last at ${Math.round(last)} ms`);
    measures.gzip_client_stream_ms = { first_event: Math.round(first), last_event: Math.round(last), reads_with_deltas: deltas.length };
    const del = await rawRequest(`${s.webUrl}/api/v1/conversations/${conv.id}`, { method: "DELETE", headers: session });
    assert.equal(del.status, 204);
  });

  it("keeps Shift+Enter for new lines and answers with the picked model", async () => {
    const box = page.getByLabel("Message", { exact: true });
    const before = await page.getByTestId("assistant-message").count();
    await box.fill("");
    await box.type("first line");
    await box.press("Shift+Enter");
    await box.type("second line");
    assert.equal(await box.inputValue(), "first line\nsecond line");
    assert.equal(await page.getByTestId("assistant-message").count(), before, "Shift+Enter did not send");
    const picker = page.getByLabel("Model");
    const options = await picker.locator("option").allTextContents();
    const current = await picker.inputValue();
    const other = options.find((o) => o !== current);
    assert.ok(other, `a second model to pick (${options})`);
    await picker.selectOption(other);
    await watchAssistant(page);
    await box.press("Enter");
    await waitForAnswer(page, before);
    const last = page.getByTestId("assistant-message").last();
    assert.match(await last.textContent(), new RegExp(`Assistant · ${other.replace(/[/.]/g, "\\$&")}`));
    assert.match(await last.getByTestId("assistant-body").textContent(), /groqmock heard: first line second line/);
  });

  it("regenerates the last answer", async () => {
    const before = await page.getByTestId("assistant-message").count();
    await watchAssistant(page);
    await page.getByRole("button", { name: "Regenerate" }).click();
    await page.waitForFunction(() => (window.__answer?.changes.length ?? 0) >= 1);
    await waitForAnswer(page, before - 1);
    assert.equal(await page.getByTestId("assistant-message").count(), before, "the answer is replaced, not added");
    assert.match(await page.getByTestId("assistant-body").last().textContent(), /groqmock heard: first line second line/);
  });

  it("finds the conversation again after a reload", async () => {
    const url = page.url();
    await page.reload();
    const list = page.getByTestId("conversation-list");
    await list.getByRole("link").first().waitFor();
    assert.ok((await list.getByRole("link").count()) >= 1);
    await page.getByTestId("assistant-body").first().waitFor();
    assert.match(await page.getByTestId("assistant-body").first().textContent(), /groqmock heard: Hello/);
    assert.equal(page.url(), url);
    await page.goto(`${s.webUrl}/chat`);
    await list.getByRole("link").first().click();
    await page.getByTestId("assistant-body").first().waitFor();
  });

  it("renames, searches and deletes conversations", async () => {
    const list = page.getByTestId("conversation-list");
    const first = (await list.getByRole("link").first().textContent()).trim();
    await page.getByRole("button", { name: `Rename ${first}` }).click();
    await page.getByLabel("New title").fill("Zebra notes");
    await page.getByRole("button", { name: "Save" }).click();
    await list.getByRole("link", { name: "Zebra notes" }).waitFor();
    // A second conversation, then search narrows the list to the matching title.
    await page.getByRole("button", { name: "New chat" }).click();
    await sendMessage(page, "Another topic entirely");
    await waitForAnswer(page, 0);
    await list.getByRole("link", { name: /Another topic/ }).waitFor();
    await page.getByLabel("Search conversations by title").fill("zebra");
    await list.getByRole("link", { name: /Another topic/ }).waitFor({ state: "detached" });
    assert.deepEqual(await list.getByRole("link").allTextContents(), ["Zebra notes"]);
    await page.getByLabel("Search conversations by title").fill("");
    await list.getByRole("link", { name: /Another topic/ }).waitFor();
    await page.getByRole("button", { name: /^Delete Another topic/ }).click();
    // The app asks first, in its own dialog; Cancel would keep it.
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
    await list.getByRole("link", { name: /Another topic/ }).waitFor({ state: "detached" });
    await page.reload();
    await list.getByRole("link", { name: "Zebra notes" }).waitFor();
    assert.equal(await list.getByRole("link", { name: /Another topic/ }).count(), 0, "deleted for good");
  });

  it("stops a stream on Stop and keeps the partial answer", async () => {
    await page.getByRole("button", { name: "New chat" }).click();
    await watchAssistant(page);
    await sendMessage(page, "long ".repeat(400));
    await page.waitForFunction(() => (window.__answer?.changes.length ?? 0) >= 2, null, { timeout: 30_000 });
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByText("Stopped before the end.").waitFor();
    const text = await page.getByTestId("assistant-body").last().textContent();
    assert.ok(text.length > 0 && !text.includes("lets clients check what they stream"), "the answer was cut");
    await page.getByRole("button", { name: "Send" }).waitFor({ state: "attached" });
    await shot(page, "04-chat-stopped");
    // The stop reached the API through the proxy: it stores the cut answer within seconds,
    // where the whole answer (~530 tokens at 40 per second) would take over 13 s.
    const id = /\/chat\/([^/]+)$/.exec(page.url())[1];
    const status = await page.waitForFunction(
      async (cid) => {
        const c = await (await fetch(`/api/v1/conversations/${cid}`)).json();
        const last = c.messages?.[c.messages.length - 1];
        return last?.role === "assistant" && last.status !== "complete" ? last.status : null;
      },
      id,
      { polling: 250, timeout: 6_000 },
    );
    assert.match(await status.jsonValue(), /^(partial|error)$/);
  });

  it("creates an API token once, uses it, and revokes it", async () => {
    await page.goto(`${s.webUrl}/settings`);
    await page.getByLabel("Token name").fill("e2e laptop");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").textContent()).trim();
    assert.ok(token.length > 20);
    const table = page.getByTestId("token-table");
    await table.getByText("e2e laptop").waitFor();
    const models = await fetch(`${s.apiUrl}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(models.status, 200, "the new token works on the OpenAI-compatible API");
    await shot(page, "05-settings");
    await axeCheck(page, "settings");
    await page.getByRole("button", { name: "Revoke token e2e laptop" }).click();
    await table.getByText("e2e laptop").waitFor({ state: "detached" });
    const after = await fetch(`${s.apiUrl}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401, "the revoked token is refused");
    await page.reload();
    assert.equal(await page.getByTestId("new-token").count(), 0, "the token is never shown again");
  });

  it("shows the admin the key pool by fingerprint", async () => {
    await page.goto(`${s.webUrl}/admin/keys`);
    const key = page.getByTestId("pool-key").first();
    await key.waitFor();
    assert.match(await key.textContent(), new RegExp(fingerprint(GROQ_KEY)));
    assert.doesNotMatch(await page.content(), new RegExp(GROQ_KEY), "the key itself never reaches the page");
    // Budgets learned from groqmock's rate-limit headers (100000 requests a day).
    await key.getByRole("cell", { name: /^\d+ \/ 100000$/ }).first().waitFor();
    await shot(page, "06-admin-keys");
    await axeCheck(page, "admin keys");
    await page.goto(`${s.webUrl}/admin/users`);
    await page.getByTestId("users-table").getByText(admin.email).waitFor();
    await shot(page, "07-admin-users");
    await page.goto(`${s.webUrl}/admin/audit`);
    const audit = page.getByTestId("audit-table");
    await audit.locator("tbody tr").first().waitFor();
    await page.getByLabel("Status").fill("201");
    const filtered = page.waitForResponse((r) => r.url().includes("/api/v1/admin/audit") && r.url().includes("status=201"));
    await page.getByRole("button", { name: "Filter" }).click();
    await filtered;
    await audit.locator("tbody tr").first().waitFor();
    const statuses = await audit.locator("tbody tr td:nth-child(5)").allTextContents();
    assert.ok(statuses.length > 0 && statuses.every((x) => x === "201"), `filtered by status: ${statuses}`);
    await shot(page, "08-admin-audit");
    // The probe of the X-Forwarded-For test was audited with the address that really connected.
    const token = await apiLogin(s.apiUrl, admin.email, admin.password);
    const deadline = Date.now() + 10_000;
    let probe;
    while (!probe && Date.now() < deadline) {
      const r = await (await fetch(`${s.apiUrl}/api/v1/admin/audit?status=401&limit=100`, { headers: { authorization: `Bearer ${token}` } })).json();
      probe = r.data.find((e) => e.request_id === s.probeRequestId);
      if (!probe) await new Promise((res) => setTimeout(res, 200)); // the audit writer flushes in batches
    }
    assert.ok(probe, "the probe request is in the audit log");
    assert.equal(probe.client_ip, "127.0.0.2");
    // The page shows each entry's client address: the probe's row names the address that connected.
    await page.getByLabel("Status").fill("401");
    const refused = page.waitForResponse((r) => r.url().includes("/api/v1/admin/audit") && r.url().includes("status=401"));
    await page.getByRole("button", { name: "Filter" }).click();
    await refused;
    const row = audit.locator("tbody tr", { hasText: s.probeRequestId });
    await row.waitFor();
    assert.equal(await row.getByTestId("audit-client").textContent(), "127.0.0.2");
    const clients = await audit.getByTestId("audit-client").allTextContents();
    assert.ok(clients.length > 0 && clients.every((c) => /^[0-9a-f.:]+$/.test(c)), `every row shows its client address: ${clients}`);
    await axeCheck(page, "admin audit");
  });

  it("refuses admin pages to a non-admin, on the server", async () => {
    const p2 = await newPage(s.browser);
    await signUp(p2, s.webUrl, user);
    assert.equal(await p2.getByRole("link", { name: "Admin" }).count(), 0, "no admin link");
    for (const path of ["/admin", "/admin/keys", "/admin/users", "/admin/audit"]) {
      const res = await p2.goto(`${s.webUrl}${path}`);
      assert.equal(res.status(), 403, path);
      await p2.getByTestId("forbidden").waitFor();
      assert.equal(await p2.getByTestId("pool-key").count(), 0);
    }
    const status = await p2.evaluate(async () => (await fetch("/api/v1/admin/users")).status);
    assert.equal(status, 403, "the API refuses too");
    await shot(p2, "09-forbidden");
    await p2.context().close();
  });

  it("tells when to retry a rate-limited message", async () => {
    // Hold the admin's one stream slot open straight at the API, then send from the browser.
    const token = await apiLogin(s.apiUrl, admin.email, admin.password);
    const conv = await (await fetch(`${s.apiUrl}/api/v1/conversations`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" })).json();
    const hold = new AbortController();
    const held = await fetch(`${s.apiUrl}/api/v1/conversations/${conv.id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ content: "hold ".repeat(600) }),
      signal: hold.signal,
    });
    assert.equal(held.status, 200);
    const reader = held.body.getReader();
    await reader.read();
    try {
      await page.goto(`${s.webUrl}/chat`);
      await sendMessage(page, "Am I rate limited?");
      const err = page.getByTestId("chat-error");
      await err.waitFor();
      assert.match(await err.textContent(), /^Rate limited: too many requests\. Try again in \d+ seconds? \(at \d{1,2}:\d{2}:\d{2}.*\)\.$/);
      await shot(page, "09b-rate-limited");
    } finally {
      hold.abort();
      await reader.cancel().catch(() => {});
    }
  });

  it("tells when a used-up daily quota resets", async () => {
    await page.goto(`${s.webUrl}/admin/users`);
    const quota = page.getByLabel(`Daily token quota of ${user.email} (empty: default)`);
    await quota.fill("1");
    const saved = page.waitForResponse((r) => r.url().includes("/api/v1/admin/users/") && r.request().method() === "PATCH");
    await page.getByRole("button", { name: `Save quota of ${user.email}` }).click();
    assert.equal((await saved).status(), 200);
    const p2 = await newPage(s.browser);
    await signIn(p2, s.webUrl, user);
    for (let i = 0; i < 3; i++) {
      // The first message may use up the single token; a later one is refused before streaming.
      await sendMessage(p2, `quota ${i}`);
      await waitForAnswer(p2, i);
      if (await p2.getByTestId("chat-error").count()) break;
    }
    assert.match(await p2.getByTestId("chat-error").textContent(), /daily token quota is used up\. It resets at /);
    await shot(p2, "09c-quota");
    await p2.context().close();
  });

  it("changes the name and password, keeps this session, signs out the others, and only the new password works", async () => {
    // A second session of the same user, in another browser context.
    const other = await newPage(s.browser);
    await signIn(other, s.webUrl, admin);
    await page.goto(`${s.webUrl}/settings`);
    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Profile saved.").waitFor();
    const fresh = "a brand new passphrase";
    await page.getByLabel("Current password").fill(admin.password);
    await page.getByLabel("New password").fill(fresh);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    const old = admin.password;
    admin.password = fresh;
    await page.reload();
    assert.equal(await page.getByTestId("whoami").textContent(), "Ada Lovelace");
    // Access tokens live 15 minutes; drop each session's access cookie, as its expiry would,
    // so that staying signed in rests on the refresh session alone.
    await page.context().clearCookies({ name: "parley_at" });
    await page.reload();
    assert.equal(new URL(page.url()).pathname, "/settings", "this session is still signed in");
    await page.getByTestId("usage-summary").waitFor();
    await other.context().clearCookies({ name: "parley_at" });
    await other.goto(`${s.webUrl}/chat`);
    await other.waitForURL(/\/login\?next=%2Fchat/);
    assert.equal((await other.context().cookies()).find((c) => c.name === "parley_rt"), undefined, "the other session was signed out");
    await other.context().close();
    await signOut(page);
    await page.waitForURL(/\/login/);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(old);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong email or password.").waitFor();
    await signIn(page, s.webUrl, admin);
  });

  it("signs out and in again", async () => {
    await page.goto(`${s.webUrl}/chat`);
    await signOut(page);
    await page.waitForURL(/\/login/);
    const cookies = await page.context().cookies();
    assert.equal(cookies.find((c) => c.name === "parley_rt"), undefined);
    await page.goto(`${s.webUrl}/settings`);
    await page.waitForURL(/\/login/);
    await signIn(page, s.webUrl, admin);
  });

  it("shows the public status page", async () => {
    const p3 = await newPage(s.browser);
    await p3.goto(`${s.webUrl}/status`);
    await p3.getByTestId("status-overall").waitFor();
    assert.match(await p3.getByTestId("status-overall").textContent(), /operational|degraded|outage/);
    await shot(p3, "10-status");
    await axeCheck(p3, "status");
    await p3.context().close();
  });

  it("works on a phone-sized screen", async () => {
    // In the dark colour scheme, so axe checks its contrast too.
    const phone = await newPage(s.browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "dark" });
    await signIn(phone, s.webUrl, admin);
    await phone.getByRole("button", { name: "Conversations" }).click();
    const link = phone.getByTestId("conversation-list").getByRole("link").last();
    await link.waitFor();
    await shot(phone, "11-phone-list");
    await link.click();
    await phone.getByTestId("assistant-body").first().waitFor();
    assert.ok(await phone.getByLabel("Message", { exact: true }).isVisible());
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await shot(phone, "12-phone-chat");
    await axeCheck(phone, "phone chat, dark");
    await phone.context().close();
  });

  it("measures first-load JS of the chat page and time to first token", async () => {
    const m = await newPage(s.browser);
    await signIn(m, s.webUrl, admin);
    const scripts = new Map();
    m.on("response", async (r) => {
      if (r.request().resourceType() === "script") scripts.set(r.url(), r);
    });
    await m.goto(`${s.webUrl}/chat`, { waitUntil: "networkidle" });
    let raw = 0;
    let gz = 0;
    for (const r of scripts.values()) {
      const b = await r.body();
      raw += b.length;
      gz += gzipSync(b).length;
    }
    const wire = await m.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => e.initiatorType === "script")
        .reduce((n, e) => n + e.encodedBodySize, 0),
    );
    measures.chat_first_load_js = { files: scripts.size, bytes: raw, gzip_bytes: gz, over_the_wire_bytes: wire };
    // An open conversation also needs the Markdown renderer, loaded apart from the page.
    // "Zebra notes" (renamed above) holds answers.
    const zebra = m.getByTestId("conversation-list").getByRole("link", { name: "Zebra notes" });
    const convUrl = `${s.webUrl}${await zebra.getAttribute("href")}`;
    const cc = await s.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await cc.addCookies(await m.context().cookies());
    const cpage = await cc.newPage();
    await cpage.goto(convUrl, { waitUntil: "networkidle" });
    await cpage.getByTestId("assistant-body").first().waitFor();
    measures.chat_conversation_js = await cpage.evaluate(() => {
      const js = performance.getEntriesByType("resource").filter((e) => e.initiatorType === "script");
      return { files: js.length, over_the_wire_bytes: js.reduce((n, e) => n + e.encodedBodySize, 0) };
    });
    await cc.close();
    // The whole first load of the chat page with a cold cache: document, scripts and styles, as
    // sent (encoded) against their size once decoded (what went over the wire without compression).
    const cold = await s.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await cold.addCookies(await m.context().cookies());
    const cp = await cold.newPage();
    await cp.goto(`${s.webUrl}/chat`, { waitUntil: "networkidle" });
    measures.chat_first_load_wire = await cp.evaluate(() => {
      const out = {};
      const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
      for (const e of entries) {
        const kind = e.entryType === "navigation" ? "document" : e.initiatorType === "script" ? "script" : e.initiatorType === "link" || e.initiatorType === "css" ? "style" : null;
        if (!kind) continue;
        const k = (out[kind] ??= { files: 0, encoded_bytes: 0, decoded_bytes: 0, transfer_bytes: 0 });
        k.files++;
        k.encoded_bytes += e.encodedBodySize;
        k.decoded_bytes += e.decodedBodySize;
        k.transfer_bytes += e.transferSize;
      }
      return out;
    });
    const total = Object.values(measures.chat_first_load_wire).reduce((n, k) => n + k.encoded_bytes, 0);
    const decoded = Object.values(measures.chat_first_load_wire).reduce((n, k) => n + k.decoded_bytes, 0);
    measures.chat_first_load_wire.total = { encoded_bytes: total, decoded_bytes: decoded };
    assert.ok(total < decoded / 2, `the first load is compressed: ${total} bytes sent for ${decoded}`);
    await cold.close();

    // Time to first token: the browser (send → first visible text) against the API itself, alternated.
    const token = await apiLogin(s.apiUrl, admin.email, admin.password);
    const conv = await (await fetch(`${s.apiUrl}/api/v1/conversations`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" })).json();
    const ui = [];
    const api = [];
    const viaNext = [];
    // A plain HTTP client through Next (with the browser's session and gzip accepted): the proxy hop alone.
    const jar = await m.context().cookies();
    const cookie = jar.map((c) => `${c.name}=${c.value}`).join("; ");
    const nextHeaders = {
      "content-type": "application/json",
      accept: "text/event-stream",
      "accept-encoding": "gzip, br",
      cookie,
      "x-csrf-token": jar.find((c) => c.name === "parley_csrf").value,
      origin: s.webUrl,
    };
    // Both sides post into an existing conversation, alternating.
    await m.getByRole("button", { name: "New chat" }).click();
    await watchAssistant(m);
    await sendMessage(m, "warm up");
    await waitForAnswer(m, 0);
    for (let i = 0; i < 5; i++) {
      api.push(await apiTimeToFirstToken(s.apiUrl, token, conv.id, `measure ${i}`));
      viaNext.push(await apiTimeToFirstToken(s.webUrl, null, conv.id, `measure next ${i}`, nextHeaders));
      await watchAssistant(m);
      await sendMessage(m, `measure ${i}`);
      await waitForAnswer(m, i + 1);
      const a = await answerChanges(m);
      ui.push(a.changes[0].t - a.t0);
    }
    measures.time_to_first_token_ms = {
      browser_median: Math.round(median(ui)),
      via_next_median: Math.round(median(viaNext)),
      api_median: Math.round(median(api)),
      browser: ui.map(Math.round),
      via_next: viaNext.map(Math.round),
      api: api.map(Math.round),
      note: "browser: Enter to first visible answer text through Next; via_next: HTTP client POST through Next's proxy to its first delta event; api: POST straight to the API to its first delta; alternated in one run; groqmock first-token latency 150 ms",
    };
    await m.context().close();
  });

  it("pages through a long conversation list, newest first", async () => {
    const token = await apiLogin(s.apiUrl, admin.email, admin.password);
    for (let i = 0; i < 55; i++) {
      const r = await fetch(`${s.apiUrl}/api/v1/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Bulk ${String(i).padStart(2, "0")}` }),
      });
      assert.equal(r.status, 201);
    }
    await page.goto(`${s.webUrl}/chat`);
    const links = page.getByTestId("conversation-list").getByRole("link");
    await links.first().waitFor();
    assert.equal(await links.first().textContent(), "Bulk 54", "newest first");
    const shown = await links.count();
    assert.ok(shown < 55 + 5, `one page first (${shown})`);
    await page.getByRole("button", { name: "Show older conversations" }).click();
    await page.getByTestId("conversation-list").getByRole("link", { name: "Zebra notes" }).waitFor();
    assert.ok((await links.count()) > shown);
  });
});

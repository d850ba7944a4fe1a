// Shared steps of the end-to-end tests.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { constants as zlibConstants, createGunzip } from "node:zlib";
import { SHOTS } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** fingerprint is how parley names a Groq key: fp_ and 8 hex of its SHA-256. */
export function fingerprint(key) {
  return "fp_" + createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/** shot saves a screenshot artifact. */
export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** newPage opens a fresh context (its own cookies) and records CSP violations and page errors. */
export async function newPage(browser, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  page.problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) page.problems.push(m.text());
  });
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  return page;
}

/** signUp creates an account through the sign-up form and waits for the chat. */
export async function signUp(page, webUrl, { email, password, name }) {
  await page.goto(`${webUrl}/signup`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/chat$/);
  await page.getByTestId("whoami").waitFor();
}

/** signIn uses the sign-in form. */
export async function signIn(page, webUrl, { email, password }) {
  await page.goto(`${webUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/chat$/);
}

/** signOut uses the account menu of the top bar. */
export async function signOut(page) {
  await page.getByTestId("account-menu").click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
}

/** watchAssistant records, in the page, each change of the last answer's text with its time. */
export async function watchAssistant(page) {
  await page.evaluate(() => {
    const w = window;
    w.__answerObserver?.disconnect();
    w.__answer = { t0: 0, changes: [] };
    const seen = new WeakSet();
    const obs = new MutationObserver(() => {
      const bodies = document.querySelectorAll('[data-testid="assistant-body"]');
      const last = bodies[bodies.length - 1];
      if (!last) return;
      const text = last.textContent ?? "";
      const c = w.__answer.changes;
      if (!seen.has(last)) {
        seen.add(last);
        c.length = 0;
      }
      if (text && (c.length === 0 || c[c.length - 1].text !== text)) c.push({ t: performance.now(), text });
    });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    w.__answerObserver = obs;
  });
}

/** sendMessage types into the composer and presses Enter, noting the time in the page. */
export async function sendMessage(page, text) {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await page.evaluate(() => {
    if (window.__answer) window.__answer.t0 = performance.now();
  });
  await box.press("Enter");
}

/** completedAnswers counts the assistant messages that are not streaming. */
export function completedAnswers(page) {
  return page.locator('[data-testid="assistant-message"]:not([aria-busy])').count();
}

/** waitForAnswer waits until more than `before` answers are complete, or an error shows. */
export async function waitForAnswer(page, before, timeout = 30_000) {
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid="chat-error"]') ||
      (document.querySelectorAll('[data-testid="assistant-message"]:not([aria-busy])').length > n && !document.querySelector('[aria-busy="true"]')),
    before,
    { timeout },
  );
}

/** answerChanges returns the recorded changes of the answer. */
export function answerChanges(page) {
  return page.evaluate(() => window.__answer);
}

/** axeCheck runs axe-core in the page and fails on critical violations. */
export async function axeCheck(page, label) {
  // page.evaluate runs through the debugger protocol, outside the page's CSP.
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ["violations"] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const critical = r.filter((v) => v.impact === "critical");
  const serious = r.filter((v) => v.impact === "serious");
  if (serious.length) console.log(`axe ${label}: serious: ${serious.map((v) => `${v.id} (${v.nodes})`).join(", ")}`);
  assert.deepEqual(critical, [], `axe-core critical violations on ${label}`);
  assert.deepEqual(serious, [], `axe-core serious violations on ${label}`);
  return r;
}

/** apiLogin signs in straight at the API (no browser), for direct measurements. */
export async function apiLogin(apiUrl, email, password) {
  const r = await fetch(`${apiUrl}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()).access_token;
}

/** apiTimeToFirstToken posts a message at the API and returns ms until the first delta event. */
export async function apiTimeToFirstToken(apiUrl, token, conversationId, content, headers = null) {
  const t0 = performance.now();
  const r = await fetch(`${apiUrl}/api/v1/conversations/${conversationId}/messages`, {
    method: "POST",
    headers: headers ?? { "content-type": "application/json", authorization: `Bearer ${token}`, accept: "text/event-stream" },
    body: JSON.stringify({ content }),
  });
  assert.equal(r.status, 200);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let first = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    if (first === null && /event: delta/.test(buf)) first = performance.now() - t0;
  }
  assert.notEqual(first, null, "the API stream had no delta event");
  return first;
}

/** median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * rawRequest sends one request with node:http (no automatic decompression) and
 * records each chunk as it arrives: { status, headers, reads: [{ t, text }], t0 }.
 * A gzip-encoded body is inflated chunk by chunk, so reads show when data became readable.
 */
export function rawRequest(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const t0 = performance.now();
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      const reads = [];
      const src = res.headers["content-encoding"] === "gzip" ? res.pipe(createGunzip({ flush: zlibConstants.Z_SYNC_FLUSH })) : res;
      src.on("data", (b) => reads.push({ t: performance.now() - t0, text: b.toString("utf8") }));
      src.on("end", () => resolve({ status: res.statusCode, headers: res.headers, reads, bytes: Number(res.socket?.bytesRead ?? 0) }));
      src.on("error", reject);
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

/** sessionHeaders are the headers a signed-in browser page sends on a state-changing /api call. */
export async function sessionHeaders(page, webUrl) {
  const jar = await page.context().cookies();
  return {
    cookie: jar.map((c) => `${c.name}=${c.value}`).join("; "),
    "x-csrf-token": jar.find((c) => c.name === "parley_csrf").value,
    origin: webUrl,
  };
}

/** send makes one HTTP/1.1 request with node:http (which, unlike fetch, lets a test set Host) and reads the whole answer. */
export function send(url, { method = "GET", headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, localAddress }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (typeof body === "function") body(req);
    else {
      if (body !== undefined) req.write(body);
      req.end();
    }
  });
}

/** cookiesOf maps name → { value, attrs } for each Set-Cookie of an answer. */
export function cookiesOf(res) {
  const out = new Map();
  for (const line of res.headers["set-cookie"] ?? []) {
    const [pair, ...attrs] = line.split(";").map((x) => x.trim());
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), { value: decodeURIComponent(pair.slice(i + 1)), attrs: attrs.map((a) => a.toLowerCase()) });
  }
  return out;
}

/** signInThroughWeb signs in through the web app's forwarder as a script would and returns its cookies (name → value). */
export async function signInThroughWeb(webUrl, email, password, opts = {}) {
  const page = await send(`${webUrl}/login`, opts);
  const csrf = cookiesOf(page).get("parley_csrf")?.value;
  assert.ok(csrf, "the sign-in page set no CSRF cookie");
  const res = await send(`${webUrl}/api/v1/auth/login`, {
    ...opts,
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: `parley_csrf=${csrf}` },
    body: JSON.stringify({ email, password }),
  });
  const jar = new Map([["parley_csrf", csrf]]);
  for (const [k, v] of cookiesOf(res)) jar.set(k, v.value);
  return { res, jar };
}

// parley behind a CDN: the web app built with PARLEY_ASSET_PREFIX pointing at
// a second origin (e2e/cdnstub.mjs, a pull-through cache standing in for
// Cloudflare or CloudFront) that pulls /_next/static from the web app. The
// browser must get every script, style and icon from the CDN, under the CSP,
// and the chat must work. One extra `next build`, in a temp copy of web/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startCdn } from "./cdnstub.mjs";
import { WEB_DIR, preflight, startStack } from "./harness.mjs";
import { newPage, sendMessage, shot, signIn, signUp, waitForAnswer } from "./helpers.mjs";

const IMMUTABLE = "public, max-age=31536000, immutable";
const SKIP = new Set(["node_modules", ".next", "test-results", "tsconfig.tsbuildinfo"]);

/** buildCopy copies web/ to a temp dir (node_modules hard-linked) and runs `npm run build` there with env. */
function buildCopy(env) {
  const dir = mkdtempSync(join(tmpdir(), "parley-cdn-web-"));
  for (const f of readdirSync(WEB_DIR)) if (!SKIP.has(f)) cpSync(join(WEB_DIR, f), join(dir, f), { recursive: true });
  // Turbopack refuses a node_modules symlinked from outside the project; hard links cost no space.
  execFileSync("cp", ["-al", join(WEB_DIR, "node_modules"), join(dir, "node_modules")]);
  execFileSync("npm", ["run", "build"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  return dir;
}

/** watch records each finished request of a page with its origin and transfer size, and CSP violations. */
async function watch(page) {
  const seen = [];
  page.on("requestfinished", async (r) => {
    const u = new URL(r.url());
    const sizes = await r.sizes().catch(() => null);
    seen.push({ origin: u.origin, path: u.pathname, type: r.resourceType(), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
  });
  // Init scripts run through the debugger protocol, outside the page's CSP.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return seen;
}

function bytesBy(seen, origin) {
  return seen.filter((r) => r.origin === origin).reduce((n, r) => n + r.bytes, 0);
}

describe("static assets from a CDN (PARLEY_ASSET_PREFIX)", () => {
  let cdn;
  let root;
  let s;
  const figures = {};

  before(async () => {
    preflight();
    cdn = await startCdn();
    const t0 = performance.now();
    root = buildCopy({ PARLEY_ASSET_PREFIX: cdn.url });
    figures.buildSeconds = Math.round((performance.now() - t0) / 100) / 10;
    s = await startStack({ webRoot: root });
    cdn.origin = s.webUrl;
  });
  after(async () => {
    await s?.stop();
    await cdn?.close();
    if (root) rmSync(root, { recursive: true, force: true });
    console.log(`MEASUREMENTS cdn ${JSON.stringify(figures)}`);
  });

  it("loads the chat's scripts, styles and icon from the CDN under the CSP, and the chat works", async () => {
    const page = await newPage(s.browser);
    const first = await watch(page);
    const res = await page.goto(`${s.webUrl}/signup`);
    const csp = res.headers()["content-security-policy"];
    assert.match(csp, new RegExp(`script-src 'self' ${cdn.url}/_next/static/ 'nonce-[^']+' 'strict-dynamic'`));
    for (const d of ["style-src", "img-src", "font-src"]) assert.match(csp, new RegExp(`${d} 'self' ${cdn.url}/_next/static/`), d);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"[^>]*>/g)];
    assert.ok(scripts.length > 0, "the page has external scripts");
    for (const [tag, src] of scripts) {
      assert.ok(src.startsWith(`${cdn.url}/_next/static/`), `script from the CDN: ${tag}`);
      // crossorigin="" is the anonymous CORS mode (no cookies), as SRI needs.
      assert.match(tag, /crossorigin="(anonymous)?"/, tag);
      assert.match(tag, /nonce="[^"]+"/, tag);
      // Where Next writes an integrity (its bootstrap scripts, not the page's own chunks), it is the file's SHA-384.
      const integrity = tag.match(/ integrity="([^"]+)"/)?.[1];
      if (!integrity) continue;
      const file = Buffer.from(await (await fetch(`${s.webUrl}${new URL(src).pathname}`)).arrayBuffer());
      assert.equal(integrity, `sha384-${createHash("sha384").update(file).digest("base64")}`, tag);
    }
    const withIntegrity = scripts.filter(([tag]) => / integrity="sha384-/.test(tag));
    assert.ok(withIntegrity.some(([, src]) => /\/turbopack-[^/]+\.js$/.test(src)), "the chunk loader has an integrity");
    figures.scriptTagsWithIntegrity = `${withIntegrity.length}/${scripts.length}`;
    assert.match(html, new RegExp(`<link rel="icon" href="${cdn.url}/_next/static/media/[^"]+\\.svg"`));

    await signUp(page, s.webUrl, { email: "edge@example.com", password: "a long enough password", name: "Edge" });
    await sendMessage(page, "Hello through the CDN");
    await waitForAnswer(page, 0);
    assert.equal(await page.getByTestId("chat-error").count(), 0);
    await shot(page, "20-cdn-chat");

    const assets = first.filter((r) => ["script", "stylesheet", "font", "image"].includes(r.type));
    assert.ok(assets.filter((r) => r.type === "script").length >= 5, "scripts were loaded");
    assert.deepEqual(assets.filter((r) => r.origin !== cdn.url), [], "every script, style, font and image came from the CDN");
    assert.deepEqual(first.filter((r) => r.origin === s.webUrl && r.path.startsWith("/_next/static/")), [], "nothing static from the web origin");
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "no CSP violation");
    assert.deepEqual(page.problems, []);
    figures.firstBrowser = { cdnBytes: bytesBy(first, cdn.url), originBytes: bytesBy(first, s.webUrl), cdnMisses: cdn.stats.misses, cdnHits: cdn.stats.hits, pulledFromOrigin: cdn.stats.bytesPulled };

    // Another browser: signs in, sees the conversation list; the CDN answers from its cache.
    const pulled = cdn.stats.bytesPulled;
    const hits = cdn.stats.hits;
    const other = await newPage(s.browser);
    const second = await watch(other);
    await signIn(other, s.webUrl, { email: "edge@example.com", password: "a long enough password" });
    await other.getByTestId("conversation-list").getByRole("link").first().waitFor();
    assert.ok((await other.getByTestId("conversation-list").getByRole("link").count()) >= 1);
    assert.deepEqual(second.filter((r) => ["script", "stylesheet", "font", "image"].includes(r.type) && r.origin !== cdn.url), []);
    assert.deepEqual(await other.evaluate(() => window.__cspViolations), [], "no CSP violation");
    assert.deepEqual(other.problems, []);
    assert.ok(cdn.stats.hits > hits, "the second browser was served from the CDN's cache");
    figures.secondBrowser = { cdnBytes: bytesBy(second, cdn.url), originBytes: bytesBy(second, s.webUrl), cdnHits: cdn.stats.hits - hits, pulledFromOrigin: cdn.stats.bytesPulled - pulled };
  });

  it("refuses a script the CDN altered (Subresource Integrity)", async () => {
    const html = await (await fetch(`${s.webUrl}/login`)).text();
    const src = html.match(/<script src="([^"]+)"[^>]* integrity="sha384-/)?.[1];
    assert.ok(src, "the sign-in page has a script with an integrity attribute");
    cdn.tamper.add(new URL(src).pathname);
    try {
      const page = await newPage(s.browser);
      const refused = page.waitForEvent("console", { predicate: (m) => /integrity/.test(m.text()) && m.text().includes(new URL(src).pathname) });
      await page.goto(`${s.webUrl}/login`);
      assert.match((await refused).text(), /Failed to find a valid digest in the 'integrity' attribute/);
      assert.equal(await page.evaluate(() => window.__cdnTampered), undefined, "the altered script did not run");
    } finally {
      cdn.tamper.clear();
    }
  });

  it("marks hashed static files immutable for a year, at the origin and through the CDN; pages and the API never", async () => {
    const fromCdn = [...new Set(cdn.stats.paths)];
    const samples = [fromCdn.find((p) => p.endsWith(".js")), fromCdn.find((p) => p.endsWith(".css")), fromCdn.find((p) => p.startsWith("/_next/static/media/"))];
    for (const p of samples) {
      assert.ok(p, `a sample of each kind of static file: ${samples}`);
      // The origin serves them too: a CDN miss, or no CDN at all.
      const o = await fetch(`${s.webUrl}${p}`);
      assert.equal(o.status, 200, p);
      assert.equal(o.headers.get("cache-control"), IMMUTABLE, p);
      assert.equal(o.headers.get("access-control-allow-origin"), "*", p);
      const c = await fetch(`${cdn.url}${p}`);
      assert.equal(c.status, 200, p);
      assert.equal(c.headers.get("x-cache"), "HIT", p);
      assert.equal(c.headers.get("cache-control"), IMMUTABLE, p);
      assert.equal(await c.text(), await o.text(), p);
    }
    for (const p of ["/login", "/signup", "/chat", "/api/v1/me", "/healthz", "/readyz", "/_next/static/chunks/no-such-file.js"]) {
      const r = await fetch(`${s.webUrl}${p}`, { redirect: "manual" });
      const cc = r.headers.get("cache-control") ?? "";
      assert.match(cc, /no-store/, `${p} (${r.status}): ${cc}`);
      assert.doesNotMatch(cc, /public|immutable/, `${p}: ${cc}`);
    }
  });
});

// The web image's layout (deploy/docker/web.Dockerfile): the standalone build
// with scripts/server.mjs beside it, started as the image's CMD does. The
// launcher must find server.js there, answer /healthz and /readyz, and append
// the connecting peer to X-Forwarded-For.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WEB_DIR, freePort, preflight } from "./harness.mjs";

/** get sends one GET from localAddress and resolves to { status, headers, body }. */
function get(url, { localAddress, headers } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const r = http.get({ host: u.hostname, port: u.port, path: u.pathname, localAddress, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    r.on("error", reject);
  });
}

describe("the web image's layout", () => {
  let dir;
  let app;
  let stub;
  let url;
  const seen = [];
  let apiReady = 200;

  before(async () => {
    preflight();
    // A stand-in API: records what the web app forwards.
    stub = http.createServer((req, res) => {
      seen.push({ url: req.url, xff: req.headers["x-forwarded-for"] });
      if (req.url === "/readyz") return void res.writeHead(apiReady).end();
      res.writeHead(401, { "content-type": "application/problem+json" }).end('{"code":"unauthorized"}');
    });
    await new Promise((r) => stub.listen(0, "127.0.0.1", r));

    // COPY /app/.next/standalone ./ (static included by postbuild), COPY scripts/server.mjs ./scripts/.
    dir = mkdtempSync(join(tmpdir(), "parley-web-image-"));
    cpSync(join(WEB_DIR, ".next", "standalone"), dir, { recursive: true });
    cpSync(join(WEB_DIR, "scripts", "server.mjs"), join(dir, "scripts", "server.mjs"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    app = spawn(process.execPath, ["scripts/server.mjs"], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: String(port), HOSTNAME: "127.0.0.1", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PARLEY_API_URL: `http://127.0.0.1:${stub.address().port}`,
        // A load balancer in front, at 127.0.0.3: only its X-Forwarded-For is believed.
        PARLEY_WEB_TRUSTED_PROXIES: "127.0.0.3/32" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    app.stdout.on("data", (b) => (log += b));
    app.stderr.on("data", (b) => (log += b));
    // Poll until it answers (a real external process): fail with its log after the deadline.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (app.exitCode !== null) throw new Error(`scripts/server.mjs exited (${app.exitCode}) in the image layout:\n${log}`);
      try {
        if ((await get(`${url}/healthz`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`scripts/server.mjs did not answer in the image layout:\n${log}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  });
  after(async () => {
    if (app && app.exitCode === null) {
      app.kill("SIGTERM");
      await new Promise((r) => app.once("exit", r));
    }
    stub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers /healthz without a session and without asking the API", async () => {
    const before = seen.length;
    const r = await get(`${url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { status: "ok" });
    assert.equal(r.headers["set-cookie"], undefined, "no session or CSRF cookie for a probe");
    assert.equal(r.headers["cache-control"], "no-store");
    assert.equal(seen.length, before, "no API call");
  });

  it("answers /readyz from the API's readiness", async () => {
    let r = await get(`${url}/readyz`);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { status: "ok" });
    apiReady = 503;
    r = await get(`${url}/readyz`);
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.body), { status: "unavailable", api: "readyz answered 503" });
    apiReady = 200;
  });

  it("serves hashed static files as immutable for a year (CDN-cacheable, CORS-readable) and pages as no-store", async () => {
    const page = await get(`${url}/login`);
    assert.equal(page.status, 200);
    assert.equal(page.headers["cache-control"], "no-store");
    // Built without PARLEY_ASSET_PREFIX: the assets come from this origin.
    const script = page.body.match(/<script src="(\/_next\/static\/chunks\/[^"]+\.js)"/)?.[1];
    const style = page.body.match(/<link rel="stylesheet" href="(\/_next\/static\/[^"]+\.css)"/)?.[1];
    const icon = page.body.match(/<link rel="icon" href="(\/_next\/static\/media\/[^"]+\.svg)"/)?.[1];
    for (const p of [script, style, icon]) {
      assert.ok(p, `the page links a hashed script, stylesheet and icon: ${[script, style, icon]}`);
      const r = await get(`${url}${p}`);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers["cache-control"], "public, max-age=31536000, immutable", p);
      assert.equal(r.headers["access-control-allow-origin"], "*", p);
    }
  });

  it("replaces the X-Forwarded-For a client claims with the connecting address", async () => {
    const r = await get(`${url}/api/v1/me`, { localAddress: "127.0.0.2", headers: { "x-forwarded-for": "203.0.113.9" } });
    assert.equal(r.status, 401);
    assert.deepEqual(seen.at(-1), { url: "/api/v1/me", xff: "127.0.0.2" });
  });

  it("believes a trusted proxy's X-Forwarded-For and forwards the one client it names", async () => {
    const r = await get(`${url}/api/v1/me`, { localAddress: "127.0.0.3", headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.9" } });
    assert.equal(r.status, 401);
    assert.deepEqual(seen.at(-1), { url: "/api/v1/me", xff: "203.0.113.9" });
  });
});

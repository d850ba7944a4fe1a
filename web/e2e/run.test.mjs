// `make run` as an attacker sees it: web/scripts/run.mjs starts the web app and
// `bin/parley serve` beside it. Every visitor reaches the API from the web
// app's address, so unless the API believes the client address the web app
// forwards, one client's failed logins throttle and rate-limit everyone.
// Clients here connect from distinct loopback addresses (127.0.0.2 and
// 127.0.0.3), as two machines would; the attacker also forges X-Forwarded-For.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort, preflight, WEB_DIR } from "./harness.mjs";
import { send, signInThroughWeb } from "./helpers.mjs";

const ATTACKER = "127.0.0.2";
const VISITOR = "127.0.0.3";
const visitor = { email: "visitor@example.com", password: "visitor long passphrase", name: "Vera Visitor" };

/** up polls url (the processes are starting) until it answers 200, or fails with run.mjs's output. */
async function up(url, child, log) {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`run.mjs exited (${child.exitCode}):\n${log.join("")}`);
    const ok = await fetch(url).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not come up:\n${log.join("").slice(-4000)}`);
}

describe("make run: one client's failed logins do not lock the others out", () => {
  let run;
  let dataDir;
  let webUrl;
  const log = [];
  before(async () => {
    const { parley } = preflight();
    const [wPort, aPort, mPort] = await Promise.all([freePort(), freePort(), freePort()]);
    dataDir = mkdtempSync(join(tmpdir(), "parley-run-"));
    // What a developer's shell holds for `make run`: no PARLEY_TRUSTED_PROXIES, default login limits.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(wPort),
      PARLEY_ADDR: `127.0.0.1:${aPort}`,
      PARLEY_METRICS_ADDR: `127.0.0.1:${mPort}`,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_JWT_SECRET: randomBytes(32).toString("hex"),
      PARLEY_SIGNUP: "open",
      PARLEY_LOG_LEVEL: "warn",
    };
    run = spawn(process.execPath, [join(WEB_DIR, "scripts", "run.mjs"), "--", parley, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    run.stdout.on("data", (b) => log.push(b.toString()));
    run.stderr.on("data", (b) => log.push(b.toString()));
    webUrl = `http://127.0.0.1:${wPort}`;
    await up(`http://127.0.0.1:${aPort}/healthz`, run, log);
    await up(`${webUrl}/healthz`, run, log);
    const reg = await signUpFrom(VISITOR);
    assert.equal(reg.status, 201, reg.text);
  });
  after(async () => {
    if (run && run.exitCode === null) {
      run.kill("SIGTERM");
      await new Promise((r) => run.once("exit", r));
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signUpFrom(localAddress) {
    const page = await send(`${webUrl}/login`, { localAddress });
    const csrf = /parley_csrf=([^;]+)/.exec(String(page.headers["set-cookie"]))[1];
    return send(`${webUrl}/api/v1/auth/register`, {
      localAddress,
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: `parley_csrf=${csrf}` },
      body: JSON.stringify(visitor),
    });
  }

  it("throttles the attacker after 30 failed logins for unknown emails, and the visitor still signs in", async () => {
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const page = await send(`${webUrl}/login`, { localAddress: ATTACKER });
      const csrf = /parley_csrf=([^;]+)/.exec(String(page.headers["set-cookie"]))[1];
      const r = await send(`${webUrl}/api/v1/auth/login`, {
        localAddress: ATTACKER,
        method: "POST",
        // A different forged client address each time: it must not buy a fresh allowance.
        headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: `parley_csrf=${csrf}`, "x-forwarded-for": `198.51.100.${i + 1}` },
        body: JSON.stringify({ email: `nobody-${i}@example.com`, password: "wrong guess" }),
      });
      statuses.push(r.status);
    }
    assert.ok(statuses.every((s) => s === 401 || s === 429), `unexpected answers ${statuses}`);
    assert.ok(statuses.includes(429), `the attacker was never slowed down: ${statuses}`);

    const { res } = await signInThroughWeb(webUrl, visitor.email, visitor.password, { localAddress: VISITOR });
    assert.equal(res.status, 200, `the visitor could not sign in after the attack: ${res.status} ${res.text}`);
  });
});

// Starts the real stack for the end-to-end tests: groqmock, `parley serve` on
// SQLite in a temp data dir, and the built Next.js standalone server, each on a
// free 127.0.0.1 port; then Debian's Chromium through playwright-core.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = join(WEB_DIR, "..");
export const SHOTS = join(WEB_DIR, "test-results", "screenshots");
export const CHROMIUM = process.env.PARLEY_CHROMIUM || "/usr/bin/chromium";
export const GROQ_KEY = "gsk_e2e_key_one";
export const GROQ_ORG = "org_e2e";

/** freePort asks the kernel for an unused 127.0.0.1 port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** binary returns bin/<name>, building it from cmd/<name> when Go and the source are there; it throws loudly otherwise. */
function binary(name) {
  // PARLEY_E2E_BIN_DIR points at binaries built elsewhere (e.g. from a clean checkout): used as they are.
  if (process.env.PARLEY_E2E_BIN_DIR) {
    const pre = join(process.env.PARLEY_E2E_BIN_DIR, name);
    if (!existsSync(pre)) throw new Error(`e2e: ${pre} is missing (PARLEY_E2E_BIN_DIR)`);
    return pre;
  }
  const out = join(REPO, "bin", name);
  const src = join(REPO, "cmd", name, "main.go");
  if (existsSync(src)) {
    try {
      execFileSync("go", ["build", "-o", out, `./cmd/${name}`], { cwd: REPO, stdio: "inherit", env: { ...process.env, CGO_ENABLED: "0" } });
    } catch (e) {
      if (!existsSync(out)) throw new Error(`e2e: cannot build bin/${name} (go build ./cmd/${name} failed: ${e.message})`);
      console.warn(`e2e: go build ./cmd/${name} failed; using the existing bin/${name}`);
    }
  }
  if (!existsSync(out)) throw new Error(`e2e: bin/${name} is missing and cmd/${name} cannot be built: the end-to-end tests need the real binaries`);
  return out;
}

const children = [];

function start(name, cmd, args, env) {
  const child = spawn(cmd, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  const keep = (b) => {
    log.push(b.toString());
    if (log.length > 400) log.shift();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.on("exit", (code, sig) => {
    if (!child.stopping) console.error(`e2e: ${name} exited early (code ${code}, signal ${sig}):\n${log.join("").slice(-4000)}`);
  });
  children.push(child);
  child.logs = () => log.join("");
  child.label = name;
  return child;
}

/** waitFor polls url until it answers with an accepted status; it fails after the deadline with the process's log. */
async function waitFor(url, child, ok = (s) => s === 200, ms = 60_000) {
  const deadline = Date.now() + ms;
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`e2e: ${child.label} exited (code ${child.exitCode}) before ${url} answered:\n${child.logs().slice(-4000)}`);
    try {
      const r = await fetch(url, { redirect: "manual" });
      if (ok(r.status)) return;
      last = `HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`e2e: ${url} did not come up in ${ms} ms (${last}):\n${child.logs().slice(-4000)}`);
}

/** preflight checks what every stack needs and returns the paths; it throws a loud error for anything missing. */
export function preflight() {
  if (!existsSync(CHROMIUM)) throw new Error(`e2e: Chromium not found at ${CHROMIUM} (apt-get install chromium); never use 'playwright install'`);
  const server = join(WEB_DIR, ".next", "standalone", "server.js");
  if (!existsSync(server)) throw new Error("e2e: .next/standalone/server.js is missing: run `npm run build` first");
  return { server, parley: binary("parley"), groqmock: binary("groqmock") };
}

let checked = null;

/**
 * startStack starts groqmock, parley and Next. opts.groqmockArgs and opts.parleyEnv
 * adjust a stack (e.g. tight limits for the rate-limit test); the web app gets the
 * API's PARLEY_SIGNUP; opts.webRoot runs another build of the web app (a copy of web/
 * with its own .next, e.g. one built with PARLEY_ASSET_PREFIX); opts.webEnv adds to the web
 * server's environment (or is a function of { webUrl, apiUrl } returning it); opts.browser === false starts no Chromium.
 */
export async function startStack(opts = {}) {
  checked ??= preflight();
  const { parley, groqmock } = checked;
  const [gPort, aPort, mPort, wPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const dataDir = mkdtempSync(join(tmpdir(), "parley-e2e-"));

  const mock = start("groqmock", groqmock, ["-addr", `127.0.0.1:${gPort}`, "-org", `${GROQ_ORG}=${GROQ_KEY}`, "-latency", "150ms", "-tps", "40",
    // Generous limits, so answers carry Groq's rate-limit headers and the key pool has budgets to show.
    "-limit", "*=1000/100000/1000000/10000000", ...(opts.groqmockArgs ?? [])], {});
  await waitFor(`http://127.0.0.1:${gPort}/openai/v1/models`, mock, (s) => s === 200 || s === 401);

  const apiEnv = {
    PARLEY_ADDR: `127.0.0.1:${aPort}`,
    PARLEY_METRICS_ADDR: `127.0.0.1:${mPort}`,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_JWT_SECRET: randomBytes(32).toString("hex"),
    PARLEY_GROQ_API_KEYS: `${GROQ_KEY}@${GROQ_ORG}`,
    PARLEY_GROQ_BASE_URL: `http://127.0.0.1:${gPort}/openai/v1`,
    PARLEY_SIGNUP: "open",
    PARLEY_LOG_LEVEL: "warn",
    PARLEY_AUTH_RATE_LIMIT_RPM: "1000",
    // The tests act faster than a person (e.g. 55 conversations at once).
    PARLEY_RATE_LIMIT_RPS: "100",
    PARLEY_RATE_LIMIT_BURST: "200",
    // One open stream per user: a second concurrent message is rate limited (the retry-time test).
    PARLEY_MAX_STREAMS_PER_USER: "1",
    // Next (on 127.0.0.1) is the API's one trusted proxy: the API reads the client from X-Forwarded-For.
    PARLEY_TRUSTED_PROXIES: "127.0.0.1/32",
    ...(opts.parleyEnv ?? {}),
  };
  const api = start("parley", parley, ["serve"], apiEnv);
  const apiUrl = `http://127.0.0.1:${aPort}`;
  await waitFor(`${apiUrl}/readyz`, api);

  const web = start("next", process.execPath, [join(opts.webRoot ?? WEB_DIR, "scripts", "server.mjs")], {
    PORT: String(wPort),
    HOSTNAME: "127.0.0.1",
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PARLEY_API_URL: apiUrl,
    PARLEY_SIGNUP: apiEnv.PARLEY_SIGNUP,
    ...(typeof opts.webEnv === "function" ? opts.webEnv({ webUrl: `http://127.0.0.1:${wPort}`, apiUrl }) : (opts.webEnv ?? {})),
  });
  const webUrl = `http://127.0.0.1:${wPort}`;
  await waitFor(`${webUrl}/login`, web);

  const profile = mkdtempSync(join(tmpdir(), "parley-chromium-"));
  const browser = opts.browser === false ? null : await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`],
  }).catch(async (e) => {
    // Playwright refuses --user-data-dir in launch(); it then uses a fresh temp profile of its own.
    if (!/user-data-dir/.test(String(e))) throw e;
    return chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  mkdirSync(SHOTS, { recursive: true });

  return {
    apiUrl,
    webUrl,
    groqUrl: `http://127.0.0.1:${gPort}`,
    browser,
    api,
    /** web is the `node scripts/server.mjs` child process. */
    web,
    /** cli runs `parley <args>` against this stack's data (e.g. `user create`) and returns its output. */
    cli(args, env = {}) {
      return execFileSync(parley, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...apiEnv, ...env }, encoding: "utf8" });
    },
    async stop() {
      await browser?.close().catch(() => {});
      for (const c of [web, api, mock]) {
        c.stopping = true;
        c.kill("SIGTERM");
      }
      await Promise.all([web, api, mock].map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once("exit", r)))));
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

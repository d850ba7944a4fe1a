// Runs the built web app beside another command (normally `bin/parley serve`)
// and stops both when either ends: `node web/scripts/run.mjs -- bin/parley serve`.
// Environment: PORT (3000), PARLEY_WEB_HOST (127.0.0.1; bind address), PARLEY_API_URL (derived from
// PARLEY_ADDR when unset, else http://127.0.0.1:8080); the command gets PARLEY_TRUSTED_PROXIES
// (loopback, the web app's address, unless set).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const web = join(root, "scripts", "server.mjs");
if (!existsSync(join(root, ".next", "standalone", "server.js"))) {
  console.error("run: web/.next/standalone/server.js is missing: run `npm --prefix web ci && npm --prefix web run build`");
  process.exit(1);
}
const sep = process.argv.indexOf("--");
const cmd = sep >= 0 ? process.argv.slice(sep + 1) : [];

function apiUrl() {
  if (process.env.PARLEY_API_URL) return process.env.PARLEY_API_URL;
  const addr = process.env.PARLEY_ADDR || ":8080";
  const [host, port] = addr.includes(":") ? [addr.slice(0, addr.lastIndexOf(":")), addr.slice(addr.lastIndexOf(":") + 1)] : ["", addr];
  return `http://${host && host !== "0.0.0.0" ? host : "127.0.0.1"}:${port || "8080"}`;
}

const env = { ...process.env, PORT: process.env.PORT || "3000", HOSTNAME: process.env.PARLEY_WEB_HOST || "127.0.0.1", PARLEY_API_URL: apiUrl(), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
const children = [spawn(process.execPath, [web], { env, stdio: "inherit" })];
console.log(`run: web app on http://${env.HOSTNAME}:${env.PORT}, API at ${env.PARLEY_API_URL}`);
// The API sees every visitor arrive from the web app, which forwards the client's address in
// X-Forwarded-For (scripts/server.mjs): the API believes it from the web tier, on loopback here,
// so its per-address login throttle and rate limits apply to each client, not to all at once.
const apiEnv = { ...process.env, PARLEY_TRUSTED_PROXIES: process.env.PARLEY_TRUSTED_PROXIES ?? "127.0.0.1/32,::1/128" };
if (cmd.length) children.push(spawn(cmd[0], cmd.slice(1), { env: apiEnv, stdio: "inherit" }));

let exiting = false;
function stopAll(code) {
  if (exiting) return;
  exiting = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  process.exitCode = code;
}
for (const c of children) c.on("exit", (code) => stopAll(code ?? 1));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => stopAll(0));

// Starts the standalone Next.js server so that X-Forwarded-For is right.
// Next only fills X-Forwarded-For when the client sent none, so a client could
// name any address it likes; here, as every proxy should, the address of the
// peer that connected is appended to whatever chain arrived. The API then
// trusts the chain only as far as PARLEY_TRUSTED_PROXIES says.
//
// It also shuts down gracefully. Next's own signal handlers exit at once,
// cutting every chat stream in flight; with NEXT_MANUAL_SIG_HANDLE set, Next
// leaves SIGTERM/SIGINT to this script, which drains (GET /readyz answers 503
// for PARLEY_WEB_SHUTDOWN_DRAIN), stops accepting connections, lets requests
// and streams in flight finish for up to PARLEY_WEB_SHUTDOWN_TIMEOUT, and exits
// 0 (1 when that time ran out and the rest had to be cut).
import http from "node:http";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// In a checkout the build is in web/.next/standalone; in the image (see
// deploy/docker/web.Dockerfile) the standalone files sit beside scripts/.
const root = new URL("..", import.meta.url).pathname;
const server = [join(root, ".next", "standalone", "server.js"), join(root, "server.js")].find((p) => existsSync(p));
if (!server) {
  console.error("server: .next/standalone/server.js is missing: run `npm run build` first");
  process.exit(1);
}

/** appendPeer adds the connecting peer's address to X-Forwarded-For. */
export function appendPeer(req) {
  const peer = req.socket?.remoteAddress?.replace(/^::ffff:/, "");
  if (!peer) return;
  const prior = req.headers["x-forwarded-for"];
  req.headers["x-forwarded-for"] = prior ? `${prior}, ${peer}` : peer;
}

/** parseDuration reads "30s", "500ms", "2m", "1h" or a bare number of seconds into milliseconds; null when invalid. */
export function parseDuration(v) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(v).trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]);
}

function durationEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const ms = parseDuration(raw);
  if (ms === null) {
    console.error(`server: ${name}=${JSON.stringify(raw)} is not a duration (e.g. 30s, 500ms, 2m)`);
    process.exit(1);
  }
  return ms;
}

const drainMs = durationEnv("PARLEY_WEB_SHUTDOWN_DRAIN", 0);
const timeoutMs = durationEnv("PARLEY_WEB_SHUTDOWN_TIMEOUT", 30_000);

/** The server Next listens on (the first one created), the responses in flight on it, and the shutdown state. */
let listening = null;
const inFlight = new Set();
let stopping = false;
let closing = false;

const createServer = http.createServer;
http.createServer = function patched(...args) {
  const i = args.findIndex((a) => typeof a === "function");
  if (i >= 0) {
    const listener = args[i];
    args[i] = function onRequest(req, res) {
      appendPeer(req);
      inFlight.add(res);
      res.once("close", () => {
        inFlight.delete(res);
        if (closing) settle();
      });
      // A request that arrives once shutdown began is still served, on a connection closed after it.
      if (stopping) res.shouldKeepAlive = false;
      return listener.call(this, req, res);
    };
  }
  const created = createServer.apply(this, args);
  listening ??= created;
  return created;
};

let finish = null;

/** settle ends the process once no request is in flight, closing idle keep-alive connections meanwhile. */
function settle() {
  listening?.closeIdleConnections();
  if (inFlight.size === 0) finish?.();
}

async function shutdown(signal) {
  if (stopping) {
    console.log(`server: ${signal} again: still waiting for ${inFlight.size} request(s)`);
    return;
  }
  stopping = true;
  globalThis.__parleyDraining = true;
  if (!listening) {
    console.log(`server: ${signal} before the server started: exiting`);
    process.exit(0);
  }
  if (drainMs > 0) {
    console.log(`server: ${signal}: draining for ${drainMs} ms (GET /readyz answers 503, requests still served)`);
    await new Promise((r) => setTimeout(r, drainMs));
  } else {
    console.log(`server: ${signal}: shutting down (no drain period)`);
  }
  // Closed before the line is logged: whoever reads the log may count on new connections being refused.
  listening.close();
  console.log(`server: stopped accepting connections; waiting up to ${timeoutMs} ms for ${inFlight.size} request(s) in flight`);
  const done = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    finish = () => {
      clearTimeout(timer);
      resolve(true);
    };
  });
  closing = true;
  settle();
  const clean = await done;
  if (clean) console.log("server: every request finished: exiting");
  else console.log(`server: shutdown timeout ran out with ${inFlight.size} request(s) in flight: closing them`);
  listening.closeAllConnections();
  process.exit(clean ? 0 : 1);
}

// Next leaves the signals to us (start-server.js registers its own handlers only without it).
process.env.NEXT_MANUAL_SIG_HANDLE = "true";
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => void shutdown(sig));

createRequire(import.meta.url)(server);

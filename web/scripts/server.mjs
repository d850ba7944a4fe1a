// Starts the standalone Next.js server as the edge of the web tier.
// Next only fills X-Forwarded-For when the client sent none, so a client could
// name any address it likes, and it believes a client's X-Forwarded-Host and
// X-Forwarded-Proto. Here each request's client is decided once, before Next
// sees it: when the connecting peer is one of PARLEY_WEB_TRUSTED_PROXIES (the
// TLS proxy or load balancer in front), its X-Forwarded-* are believed and the
// client is the rightmost X-Forwarded-For hop that is not itself trusted;
// otherwise the web app is the edge: the peer is the client and every
// X-Forwarded-* / Forwarded header it sent is dropped. X-Forwarded-For then
// holds that one address (overwritten, never appended to what the client
// sent), which the API believes from the web tier (its PARLEY_TRUSTED_PROXIES).
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
import { BlockList, isIP } from "node:net";
import { join } from "node:path";

// In a checkout the build is in web/.next/standalone; in the image (see
// deploy/docker/web.Dockerfile) the standalone files sit beside scripts/.
const root = new URL("..", import.meta.url).pathname;
const server = [join(root, ".next", "standalone", "server.js"), join(root, "server.js")].find((p) => existsSync(p));
if (!server) {
  console.error("server: .next/standalone/server.js is missing: run `npm run build` first");
  process.exit(1);
}

/** parseTrusted reads PARLEY_WEB_TRUSTED_PROXIES (comma-separated CIDRs or addresses) into a BlockList; it exits on a bad entry. */
function parseTrusted(raw) {
  const list = new BlockList();
  const bad = [];
  for (const f of String(raw ?? "").split(",").map((x) => x.trim()).filter(Boolean)) {
    const [addr, bits] = f.split("/");
    const type = isIP(addr) === 6 ? "ipv6" : isIP(addr) === 4 ? "ipv4" : null;
    const n = bits === undefined ? (type === "ipv6" ? 128 : 32) : Number(bits);
    if (!type || !Number.isInteger(n) || n < 0 || n > (type === "ipv6" ? 128 : 32) || (bits !== undefined && !/^\d+$/.test(bits))) {
      bad.push(f);
      continue;
    }
    list.addSubnet(addr, n, type);
  }
  if (bad.length) {
    console.error(`server: PARLEY_WEB_TRUSTED_PROXIES: not an address or CIDR: ${bad.join(", ")}`);
    process.exit(1);
  }
  return list;
}

/** normalize turns "::ffff:1.2.3.4", "1.2.3.4:5678" and "[::1]:80" into a bare address; null when it is none. */
function normalize(s) {
  let v = String(s ?? "").trim();
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracket) v = bracket[1];
  else if (/^[\d.]+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  v = v.replace(/^::ffff:(?=[\d.]+$)/i, "");
  return isIP(v) ? v : null;
}

const trustedProxies = parseTrusted(process.env.PARLEY_WEB_TRUSTED_PROXIES);

// PARLEY_PUBLIC_URL (lib/config.ts publicOrigin) names the origin redirects and cookies follow: a typo must not start.
if (process.env.PARLEY_PUBLIC_URL?.trim()) {
  let ok = false;
  try {
    ok = ["http:", "https:"].includes(new URL(process.env.PARLEY_PUBLIC_URL.trim()).protocol);
  } catch {}
  if (!ok) {
    console.error(`server: PARLEY_PUBLIC_URL=${JSON.stringify(process.env.PARLEY_PUBLIC_URL)} is not an http(s) URL (e.g. https://chat.example.com)`);
    process.exit(1);
  }
}
const isTrusted = (a) => trustedProxies.check(a, isIP(a) === 6 ? "ipv6" : "ipv4");
const EDGE_ONLY = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded", "x-real-ip"];

/** edgeHeaders decides the request's client (see the top of this file) and leaves it alone in X-Forwarded-For. */
export function edgeHeaders(req) {
  const peer = normalize(req.socket?.remoteAddress);
  let client = peer;
  if (peer && isTrusted(peer)) {
    const hops = String(req.headers["x-forwarded-for"] ?? "").split(",").map((h) => h.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const a = normalize(hops[i]);
      if (!a) break; // garbage from a hop nobody vouches for: keep the nearest trusted address
      client = a;
      if (!isTrusted(a)) break;
    }
  } else {
    for (const h of EDGE_ONLY) delete req.headers[h];
  }
  if (client) req.headers["x-forwarded-for"] = client;
  else delete req.headers["x-forwarded-for"];
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
      edgeHeaders(req);
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

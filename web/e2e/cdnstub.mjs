// A stand-in for a CDN in front of the web app: a pull-through cache on its
// own 127.0.0.1 origin, as Cloudflare or CloudFront would be configured for
// parley (only /_next/static/*, cached when the origin says "public", the
// origin's headers passed on). It counts what it serves and what it pulls.
import http from "node:http";
import { gunzipSync } from "node:zlib";

/** pull fetches path from the origin (gzip accepted, nothing decoded) and resolves to { status, headers, body }. */
function pull(origin, path) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, origin);
    http
      .get({ host: u.hostname, port: u.port, path: u.pathname, headers: { "accept-encoding": "gzip" } }, (res) => {
        const parts = [];
        res.on("data", (b) => parts.push(b));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

const PASSED = ["content-type", "content-encoding", "cache-control", "etag", "access-control-allow-origin", "vary", "x-content-type-options"];

/**
 * startCdn listens on a free 127.0.0.1 port. Set `.origin` (the web app's URL)
 * before the first request. stats: hits, misses, bytesServed (to browsers),
 * bytesPulled (from the origin), paths (every path asked for). Paths added to
 * `.tamper` are served altered (a line of script prepended), as a compromised
 * CDN would.
 */
export async function startCdn() {
  const cache = new Map();
  const stats = { hits: 0, misses: 0, bytesServed: 0, bytesPulled: 0, paths: [] };
  const cdn = { origin: null, stats, url: "", tamper: new Set() };
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, "http://cdn").pathname;
    stats.paths.push(path);
    if (req.method !== "GET" || !path.startsWith("/_next/static/")) return void res.writeHead(404).end();
    try {
      let e = cache.get(path);
      const hit = Boolean(e);
      if (hit) {
        stats.hits++;
      } else {
        stats.misses++;
        e = await pull(cdn.origin, path);
        stats.bytesPulled += e.body.length;
        if (e.status === 200 && /\bpublic\b/.test(e.headers["cache-control"] ?? "")) cache.set(path, e);
      }
      const headers = { "x-cache": hit ? "HIT" : "MISS" };
      for (const k of PASSED) if (e.headers[k] !== undefined) headers[k] = e.headers[k];
      let body = e.body;
      const tamper = cdn.tamper.has(path);
      if (headers["content-encoding"] === "gzip" && (tamper || !/\bgzip\b/.test(req.headers["accept-encoding"] ?? ""))) {
        body = gunzipSync(body);
        delete headers["content-encoding"];
      }
      if (tamper) body = Buffer.concat([Buffer.from("window.__cdnTampered = true;\n"), body]);
      headers["content-length"] = String(body.length);
      res.writeHead(e.status, headers).end(body);
      stats.bytesServed += body.length;
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  cdn.url = `http://127.0.0.1:${server.address().port}`;
  cdn.close = () => new Promise((r) => server.close(r));
  return cdn;
}

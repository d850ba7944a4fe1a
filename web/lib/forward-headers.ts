/**
 * What the API forwarder (lib/api-forward.ts) passes on: which headers cross
 * in each direction and how a browser path maps to the API's URL. Pure
 * functions, unit-tested in test/forward-headers.test.ts.
 */

/** HOP_BY_HOP are connection-level headers that a proxy must never forward (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Request headers the browser sends that must not reach the API. */
const DROP_REQUEST = new Set([
  "host",
  "cookie",
  "authorization", // the BFF supplies the bearer token from the session cookie
  "content-length", // recomputed by fetch
  "accept-encoding", // ask for identity so the stream is not decoded and re-buffered
  "origin",
  "referer",
  "x-csrf-token",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
  "forwarded",
  "expect",
]);

/** Response headers of the API that must not reach the browser. */
const DROP_RESPONSE = new Set([
  "set-cookie", // the API never sets cookies for the browser; the BFF owns them
  "content-length", // fetch may have decoded the body
  "content-encoding",
  "server",
]);

function connectionTokens(h: Headers): Set<string> {
  const out = new Set<string>();
  for (const t of (h.get("connection") ?? "").split(",")) {
    const v = t.trim().toLowerCase();
    if (v) out.add(v);
  }
  return out;
}

/** REQUEST_ID_RE accepts request ids that are safe to pass on and log. */
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** ForwardOptions are the facts the proxy adds to a forwarded request. */
export interface ForwardOptions {
  /** The client's address; null: the X-Forwarded-For scripts/server.mjs set. */
  clientIp: string | null;
  proto: string;
  host: string | null;
  accessToken?: string;
  newRequestId?: () => string;
}

/** forwardRequestHeaders builds the headers sent to the API for one browser request. */
export function forwardRequestHeaders(incoming: Headers, opt: ForwardOptions): Headers {
  const conn = connectionTokens(incoming);
  const out = new Headers();
  incoming.forEach((value, key) => {
    const k = key.toLowerCase();
    if (HOP_BY_HOP.has(k) || conn.has(k) || DROP_REQUEST.has(k) || k.startsWith("x-middleware") || k === "x-nonce" || k.startsWith("next-") || k === "rsc") return;
    out.set(k, value);
  });
  // One address, never a chain: scripts/server.mjs has already replaced what the
  // client sent with the client it resolved (the API trusts the web tier for it).
  const ip = opt.clientIp?.trim() || incoming.get("x-forwarded-for")?.trim();
  if (ip) out.set("x-forwarded-for", ip);
  out.set("x-forwarded-proto", opt.proto.replace(/:$/, ""));
  if (opt.host) out.set("x-forwarded-host", opt.host);
  const rid = incoming.get("x-request-id");
  if (rid && REQUEST_ID_RE.test(rid)) out.set("x-request-id", rid);
  else out.set("x-request-id", (opt.newRequestId ?? (() => crypto.randomUUID()))());
  out.set("accept-encoding", "identity");
  if (opt.accessToken) out.set("authorization", `Bearer ${opt.accessToken}`);
  return out;
}

/** forwardResponseHeaders filters the API's response headers for the browser. */
export function forwardResponseHeaders(upstream: Headers): Headers {
  const conn = connectionTokens(upstream);
  const out = new Headers();
  upstream.forEach((value, key) => {
    const k = key.toLowerCase();
    if (HOP_BY_HOP.has(k) || conn.has(k) || DROP_RESPONSE.has(k)) return;
    out.append(k, value);
  });
  if ((out.get("content-type") ?? "").startsWith("text/event-stream")) {
    out.set("cache-control", "no-cache, no-transform");
    out.set("x-accel-buffering", "no");
  }
  return out;
}

/** upstreamUrl maps /api/<segments>?<query> to the API, refusing path tricks. */
export function upstreamUrl(base: string, segments: string[], search: string): string | null {
  if (segments.length === 0 || segments[0] !== "v1") return null;
  for (const s of segments) {
    if (s === "" || s === "." || s === ".." || s.includes("/") || s.includes("\\")) return null;
  }
  return `${base}/api/${segments.map(encodeURIComponent).join("/")}${search}`;
}

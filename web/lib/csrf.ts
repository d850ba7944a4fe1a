/**
 * Cross-site request forgery defence of the /api/* forwarder: which origin
 * the browser sees, and the checks a state-changing request must pass.
 */
import { timingSafeEqual } from "node:crypto";
import { publicOrigin } from "./config";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** CsrfInput is what the CSRF check looks at. */
export interface CsrfInput {
  method: string;
  headers: Headers;
  /** The origin this app is served from, e.g. "https://chat.example.com". */
  expectedOrigin: string;
  /** The double-submit cookie's value. */
  cookieToken: string | undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * checkCsrf returns null when a request may proceed, else the reason to refuse
 * it. State-changing requests need all of: a same-origin Sec-Fetch-Site (when
 * the browser sends it), a matching Origin (when sent), and the double-submit
 * token in X-CSRF-Token equal to the CSRF cookie.
 */
export function checkCsrf(c: CsrfInput): string | null {
  if (SAFE_METHODS.has(c.method.toUpperCase())) return null;
  const site = c.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return `cross-site request (Sec-Fetch-Site: ${site})`;
  const origin = c.headers.get("origin");
  if (origin && origin !== c.expectedOrigin) return "request from another origin";
  const token = c.headers.get("x-csrf-token");
  if (!token || !c.cookieToken) return "missing CSRF token";
  if (!sameToken(token, c.cookieToken)) return "CSRF token mismatch";
  return null;
}

/**
 * expectedOrigin is the origin the browser sees: the configured public origin
 * (PARLEY_PUBLIC_URL) when set, else the request's, honouring a TLS-terminating
 * proxy's X-Forwarded-* (scripts/server.mjs drops them unless the peer is one
 * of PARLEY_WEB_TRUSTED_PROXIES).
 */
export function expectedOrigin(url: URL, headers: Headers): string {
  const pub = publicOrigin();
  if (pub) return pub;
  const proto = headers.get("x-forwarded-proto")?.split(",")[0].trim() || url.protocol.replace(/:$/, "");
  const host = headers.get("x-forwarded-host")?.split(",")[0].trim() || headers.get("host") || url.host;
  return `${proto}://${host}`;
}

/**
 * Session handling of the BFF: which cookies hold the session, how they are
 * set and cleared, and how an expired access token is renewed server-side
 * with the refresh token (once per refresh cookie, however many requests race).
 */
import { createHash } from "node:crypto";
import { publicOrigin } from "./config";
import type { AuthAnswer } from "./types";

/** CookieSpec is one cookie to set, in a form both next/server and tests understand. */
export interface CookieSpec {
  name: string;
  value: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: "lax" | "strict";
  path: string;
  maxAge: number;
}

const REFRESH = "parley_rt";
const ACCESS = "parley_at";
const CSRF = "parley_csrf";

/** REFRESH_MAX_AGE bounds the refresh cookie; the API decides the token's real lifetime. */
export const REFRESH_MAX_AGE = 30 * 24 * 3600;

/** cookieNames gives the cookie names for a request; secure ones carry the __Host- prefix. */
export function cookieNames(secure: boolean): { refresh: string; access: string; csrf: string } {
  const p = secure ? "__Host-" : "";
  return { refresh: p + REFRESH, access: p + ACCESS, csrf: p + CSRF };
}

/** isLoopbackHost reports whether a Host header names this machine (dev over plain HTTP). */
export function isLoopbackHost(host: string | null): boolean {
  if (!host) return false;
  const h = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * wantSecureCookies tells whether cookies must be Secure: always, except plain
 * HTTP to a loopback host (local development and the end-to-end tests). The
 * configured public origin (PARLEY_PUBLIC_URL) decides when set; else the
 * request does, whose X-Forwarded-* scripts/server.mjs keeps only from a
 * trusted proxy.
 */
export function wantSecureCookies(protocol: string, headers: Headers): boolean {
  const pub = publicOrigin();
  if (pub) {
    const u = new URL(pub);
    return u.protocol === "https:" || !isLoopbackHost(u.host);
  }
  const proto = (headers.get("x-forwarded-proto")?.split(",")[0].trim() || protocol.replace(/:$/, "")).toLowerCase();
  if (proto === "https") return true;
  return !isLoopbackHost(headers.get("x-forwarded-host") || headers.get("host"));
}

/** readCookie finds a session cookie under its secure or plain name. */
export function readCookie(
  get: (name: string) => string | undefined,
  kind: "refresh" | "access" | "csrf",
): string | undefined {
  return get(cookieNames(true)[kind]) ?? get(cookieNames(false)[kind]);
}

/** sessionCookies turns an auth answer into the refresh and access cookies. */
export function sessionCookies(auth: Pick<AuthAnswer, "access_token" | "refresh_token" | "expires_in">, secure: boolean): CookieSpec[] {
  const n = cookieNames(secure);
  // Drop the access cookie a little before the token expires so it is renewed
  // before the API would refuse it.
  const accessAge = Math.max(1, Math.floor((auth.expires_in || 900) - 30));
  const base = { httpOnly: true, secure, path: "/" } as const;
  return [
    { ...base, name: n.refresh, value: auth.refresh_token, sameSite: "strict", maxAge: REFRESH_MAX_AGE },
    { ...base, name: n.access, value: auth.access_token, sameSite: "strict", maxAge: accessAge },
  ];
}

/** clearedCookies expires both session cookies under both names. */
export function clearedCookies(): CookieSpec[] {
  const out: CookieSpec[] = [];
  for (const secure of [true, false]) {
    const n = cookieNames(secure);
    for (const name of [n.refresh, n.access]) {
      out.push({ name, value: "", httpOnly: true, secure, sameSite: "strict", path: "/", maxAge: 0 });
    }
  }
  return out;
}

/** csrfCookie is the double-submit token cookie; JavaScript reads it and echoes it in X-CSRF-Token. */
export function csrfCookie(value: string, secure: boolean): CookieSpec {
  return { name: cookieNames(secure).csrf, value, httpOnly: false, secure, sameSite: "strict", path: "/", maxAge: REFRESH_MAX_AGE };
}

/** RefreshResult is the outcome of renewing a session. */
export type RefreshResult =
  | { ok: true; auth: AuthAnswer }
  | { ok: false; status: number; problem?: unknown };

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

type Inflight = Map<string, { settledAt: number | null; result: Promise<RefreshResult> }>;
// On globalThis so that proxy.ts and the Route Handlers, bundled apart, share it.
const g = globalThis as typeof globalThis & { __parleyRefresh?: Inflight };
const inflight: Inflight = (g.__parleyRefresh ??= new Map());

/**
 * REFRESH_SHARE_MS is how long a refresh answer is still handed to requests
 * with the same refresh cookie after it arrived: long enough for the parallel
 * requests of one page load, short enough that a stolen cookie replayed later
 * reaches the API, which sees the reuse and ends the session.
 */
export const REFRESH_SHARE_MS = 1_500;

/** refreshKey names a refresh cookie in the shared map without keeping the token itself. */
function refreshKey(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * refreshSession exchanges a refresh token for a new token pair. Concurrent
 * calls with the same refresh cookie (and those within REFRESH_SHARE_MS of
 * its answer) share one API call, because the API rotates refresh tokens and
 * treats a second use as theft; other cookies never see that answer.
 */
export function refreshSession(
  apiUrl: string,
  refreshToken: string,
  headers: Record<string, string> = {},
  fetchImpl: Fetch = fetch,
  now: () => number = Date.now,
): Promise<RefreshResult> {
  const t = now();
  for (const [k, v] of inflight) if (v.settledAt !== null && t - v.settledAt > REFRESH_SHARE_MS) inflight.delete(k);
  const key = refreshKey(refreshToken);
  const hit = inflight.get(key);
  if (hit) return hit.result;
  const result = (async (): Promise<RefreshResult> => {
    let res: Response;
    try {
      res = await fetchImpl(`${apiUrl}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: JSON.stringify({ refresh_token: refreshToken }),
        cache: "no-store",
      });
    } catch {
      return { ok: false, status: 502 };
    }
    if (!res.ok) {
      const problem = await res.json().catch(() => undefined);
      return { ok: false, status: res.status, problem };
    }
    return { ok: true, auth: (await res.json()) as AuthAnswer };
  })();
  const entry: { settledAt: number | null; result: Promise<RefreshResult> } = { settledAt: null, result };
  inflight.set(key, entry);
  result.then((r) => {
    // A failed network call should not be shared: let the next request retry.
    if (!r.ok && r.status >= 500) {
      if (inflight.get(key) === entry) inflight.delete(key);
      return;
    }
    entry.settledAt = now();
  });
  return result;
}

/** resetRefreshCache forgets shared refresh answers (tests). */
export function resetRefreshCache(): void {
  inflight.clear();
}

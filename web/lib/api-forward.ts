/**
 * The API forwarder (backend-for-frontend) behind app/api/[...path]: forwards
 * /api/v1/* to the parley API with the session's access token, renews it when
 * expired, and turns the API's auth routes into cookie-based sign-in, sign-up
 * and sign-out.
 */
import { apiBaseUrl } from "./config";
import { checkCsrf, expectedOrigin } from "./csrf";
import { problemResponse as problem } from "./errors";
import { forwardRequestHeaders, forwardResponseHeaders, upstreamUrl } from "./forward-headers";
import {
  clearedCookies,
  readCookie,
  refreshSession,
  sessionCookies,
  wantSecureCookies,
  type CookieSpec,
} from "./session";
import type { AuthAnswer } from "./types";

/**
 * MAX_BODY caps a request body whatever its framing (Content-Length or
 * chunked): bodies are streamed to the API and counted on the way, and one
 * that grows past the cap is cut (the API sees a broken request, never a
 * short one that looks complete) and answered 413.
 */
export const MAX_BODY = 1 << 20;
/** REPLAY_MAX: a streamed body up to this size is also kept, to be sent again after a token renewal. */
const REPLAY_MAX = 64 << 10;

function serializeCookie(c: CookieSpec): string {
  const parts = [`${c.name}=${encodeURIComponent(c.value)}`, `Path=${c.path}`, `Max-Age=${c.maxAge}`];
  if (c.maxAge === 0) parts.push("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  if (c.httpOnly) parts.push("HttpOnly");
  if (c.secure) parts.push("Secure");
  parts.push(`SameSite=${c.sameSite === "strict" ? "Strict" : "Lax"}`);
  return parts.join("; ");
}

function withCookies(res: Response, cookies: CookieSpec[]): Response {
  for (const c of cookies) res.headers.append("set-cookie", serializeCookie(c));
  return res;
}

function parseCookies(header: string | null): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!m.has(k)) {
      try {
        m.set(k, decodeURIComponent(part.slice(i + 1).trim()));
      } catch {
        m.set(k, part.slice(i + 1).trim());
      }
    }
  }
  return m;
}

class BodyTooLarge extends Error {}

/** readCapped buffers a body (the auth routes, PATCH /me: small JSON the forwarder rewrites), reading no further than the cap. */
async function readCapped(req: Request): Promise<ArrayBuffer | null | "too_large"> {
  if (!req.body) return null;
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY) {
      void drain(reader);
      return "too_large";
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out.buffer;
}

/** StreamedBody is a request body on its way to the API, counted against MAX_BODY. */
interface StreamedBody {
  stream: ReadableStream<Uint8Array>;
  /** tooLarge tells whether the body grew past the cap (the upstream request was then cut). */
  tooLarge: () => boolean;
  /** replay is the whole body when it ended and was small enough to keep, else null. */
  replay: () => ArrayBuffer | null;
}

/**
 * DRAIN_MAX: after the cap is crossed, this much more of the body is read and
 * dropped so the 413 reaches a client that is still sending (closing on unread
 * data resets the connection, and the answer with it); past it the body is cut.
 */
const DRAIN_MAX = 4 << 20;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let dropped = 0;
  try {
    while (dropped <= DRAIN_MAX) {
      const { value, done } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away
  }
}

function streamCapped(src: ReadableStream<Uint8Array>): StreamedBody {
  let size = 0;
  let over = false;
  let ended = false;
  let kept: Uint8Array[] | null = [];
  const reader = src.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        ctrl.close();
        return;
      }
      size += value.byteLength;
      if (size > MAX_BODY) {
        // Erroring the stream cuts the upstream request: the API never sees a terminated (complete-looking) body.
        over = true;
        ctrl.error(new BodyTooLarge("request body too large"));
        void drain(reader);
        return;
      }
      if (kept && size <= REPLAY_MAX) kept.push(value.slice());
      else kept = null;
      ctrl.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return {
    stream,
    tooLarge: () => over,
    replay: () => {
      if (!ended || !kept) return null;
      const out = new Uint8Array(size);
      let at = 0;
      for (const p of kept) {
        out.set(p, at);
        at += p.byteLength;
      }
      return out.buffer;
    },
  };
}

const AUTH_ROUTES = new Set(["login", "register", "refresh", "logout"]);

/**
 * withSessionToken adds the session's refresh token to a PATCH /me body that
 * changes the password, so the API keeps this session signed in (and signs out
 * every other one). The browser never holds the token: one it sends is
 * replaced, or dropped when there is no session cookie. Other bodies pass as they are.
 */
export function withSessionToken(body: ArrayBuffer | null, refresh: string | undefined): ArrayBuffer | null {
  if (!body) return body;
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return body; // the API answers malformed JSON itself
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return body;
  const o = v as Record<string, unknown>;
  if (o.password == null && o.refresh_token === undefined) return body;
  if (o.password != null && refresh) o.refresh_token = refresh;
  else delete o.refresh_token;
  const u = new TextEncoder().encode(JSON.stringify(o));
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

/** forwardApi serves one /api/* request; segments are the path parts after /api/. */
export async function forwardApi(req: Request, segments: string[]): Promise<Response> {
  const url = new URL(req.url);
  const base = apiBaseUrl();
  const target = upstreamUrl(base, segments, url.search);
  if (!target) return problem(404, "not_found", "Not found");
  const cookies = parseCookies(req.headers.get("cookie"));
  const get = (n: string) => cookies.get(n);
  const secure = wantSecureCookies(url.protocol, req.headers);

  const csrf = checkCsrf({
    method: req.method,
    headers: req.headers,
    expectedOrigin: expectedOrigin(url, req.headers),
    cookieToken: readCookie(get, "csrf"),
  });
  if (csrf) return problem(403, "forbidden", "Request refused", csrf);

  const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.body !== null;
  if (hasBody && Number(req.headers.get("content-length") ?? "0") > MAX_BODY) return problem(413, "too_large", "Request body too large");
  const tooLarge = () => problem(413, "too_large", "Request body too large");

  const fwd = (accessToken?: string) =>
    forwardRequestHeaders(req.headers, {
      clientIp: null,
      proto: url.protocol,
      host: req.headers.get("host"),
      accessToken,
    });

  const patchMe = req.method === "PATCH" && segments.length === 2 && segments[1] === "me";
  const isAuth = segments.length === 3 && segments[1] === "auth" && AUTH_ROUTES.has(segments[2]);
  // Small JSON bodies the forwarder reads or rewrites are buffered (up to the cap); the rest stream.
  const buffered = hasBody && (isAuth || patchMe) ? await readCapped(req) : null;
  if (buffered === "too_large") return tooLarge();
  const streamed = hasBody && !isAuth && !patchMe ? streamCapped(req.body!) : null;

  if (isAuth) return authRoute(segments[2], req, buffered, base, fwd(), get, secure);

  let access = readCookie(get, "access");
  let refresh = readCookie(get, "refresh");
  const setCookies: CookieSpec[] = [];
  let renewed = false;
  const renew = async (): Promise<boolean> => {
    if (!refresh || renewed) return false;
    renewed = true;
    const r = await refreshSession(base, refresh, { "x-forwarded-for": fwd().get("x-forwarded-for") ?? "" });
    if (r.ok) {
      access = r.auth.access_token;
      refresh = r.auth.refresh_token;
      setCookies.push(...sessionCookies(r.auth, secure));
      return true;
    }
    if (r.status === 401) setCookies.push(...clearedCookies());
    return false;
  };
  if (!access && refresh) await renew();

  let sent = false;
  const send = (): Promise<Response> | null => {
    // The refresh token is read at each send: a renewal in between rotates it.
    let body: BodyInit | undefined = patchMe ? (withSessionToken(buffered, refresh) ?? undefined) : undefined;
    if (streamed) {
      // A streamed body goes once; it is sent again only when it was small enough to keep.
      const again = sent ? streamed.replay() : null;
      if (sent && !again) return null;
      body = again ?? streamed.stream;
    }
    sent = true;
    return fetch(target, {
      method: req.method,
      headers: fwd(access),
      body,
      signal: req.signal,
      redirect: "manual",
      cache: "no-store",
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  };
  let upstream: Response;
  try {
    upstream = await send()!;
    if (upstream.status === 401 && refresh && !renewed && (await renew())) {
      // Renewed: the request goes again when its body can; else the 401 goes back with the new cookies and the browser retries.
      const again = send();
      if (again) {
        await upstream.body?.cancel();
        upstream = await again;
      }
    }
  } catch (e) {
    if (streamed?.tooLarge()) return withCookies(tooLarge(), setCookies);
    if (req.signal.aborted) return new Response(null, { status: 499 });
    return withCookies(problem(502, "upstream", "The parley API is unreachable", String((e as Error).message ?? e)), setCookies);
  }
  if (streamed?.tooLarge()) {
    // The API answered while the body was being cut: the answer is the cap's, whatever it said.
    await upstream.body?.cancel();
    return withCookies(tooLarge(), setCookies);
  }
  // Pass the body through as a stream: server-sent events reach the browser as they arrive.
  const res = new Response(upstream.body, { status: upstream.status, headers: forwardResponseHeaders(upstream.headers) });
  return withCookies(res, setCookies);
}

async function authRoute(
  action: string,
  req: Request,
  body: ArrayBuffer | null,
  base: string,
  headers: Headers,
  get: (n: string) => string | undefined,
  secure: boolean,
): Promise<Response> {
  if (req.method !== "POST") return problem(405, "method_not_allowed", "Method not allowed");
  headers.set("content-type", "application/json");
  const refresh = readCookie(get, "refresh");
  let payload: BodyInit | undefined = body ?? undefined;
  if (action === "refresh" || action === "logout") {
    if (!refresh) {
      return action === "logout"
        ? withCookies(new Response(null, { status: 204 }), clearedCookies())
        : problem(401, "unauthorized", "Not signed in");
    }
    payload = JSON.stringify({ refresh_token: refresh });
  }
  if (action === "refresh") {
    const r = await refreshSession(base, refresh!, { "x-forwarded-for": headers.get("x-forwarded-for") ?? "" });
    if (!r.ok) {
      const res = new Response(JSON.stringify(r.problem ?? {}), {
        status: r.status,
        headers: { "content-type": "application/problem+json" },
      });
      return r.status === 401 ? withCookies(res, clearedCookies()) : res;
    }
    return withCookies(json({ user: r.auth.user }, 200), sessionCookies(r.auth, secure));
  }
  let upstream: Response;
  try {
    upstream = await fetch(`${base}/api/v1/auth/${action}`, { method: "POST", headers, body: payload, cache: "no-store" });
  } catch (e) {
    if (action === "logout") return withCookies(new Response(null, { status: 204 }), clearedCookies());
    return problem(502, "upstream", "The parley API is unreachable", String((e as Error).message ?? e));
  }
  if (action === "logout") {
    await upstream.body?.cancel();
    return withCookies(new Response(null, { status: 204 }), clearedCookies());
  }
  if (!upstream.ok) {
    return new Response(upstream.body, { status: upstream.status, headers: forwardResponseHeaders(upstream.headers) });
  }
  const auth = (await upstream.json()) as AuthAnswer;
  // The tokens stay on the server side of the browser: only the user goes back.
  return withCookies(json({ user: auth.user }, upstream.status), sessionCookies(auth, secure));
}

function json(v: unknown, status: number): Response {
  return new Response(JSON.stringify(v), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

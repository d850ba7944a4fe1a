/**
 * Next.js proxy (the former middleware), run before every page: sets the
 * per-request CSP nonce, the CSRF double-submit cookie, renews an expired
 * access token with the refresh cookie, and sends signed-out visitors of
 * private pages to the sign-in page.
 */
import { NextResponse, type NextRequest } from "next/server";
import { apiBaseUrl } from "@/lib/config";
import { assetSource } from "@/lib/cdn";
import { contentSecurityPolicy, newNonce } from "@/lib/csp";
import { expectedOrigin } from "@/lib/csrf";
import {
  clearedCookies,
  cookieNames,
  csrfCookie,
  readCookie,
  refreshSession,
  sessionCookies,
  wantSecureCookies,
  type CookieSpec,
} from "@/lib/session";

const PRIVATE = [/^\/chat(\/|$)/, /^\/settings(\/|$)/, /^\/admin(\/|$)/];

function randomToken(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return Buffer.from(b).toString("base64url");
}

export async function proxy(request: NextRequest) {
  const url = request.nextUrl;
  const secure = wantSecureCookies(url.protocol, request.headers);
  const get = (n: string) => request.cookies.get(n)?.value;
  const toSet: CookieSpec[] = [];

  if (!readCookie(get, "csrf")) {
    const c = csrfCookie(randomToken(), secure);
    toSet.push(c);
    request.cookies.set(c.name, c.value);
  }

  let access = readCookie(get, "access");
  const refresh = readCookie(get, "refresh");
  if (!access && refresh) {
    const r = await refreshSession(apiBaseUrl(), refresh, {
      "x-forwarded-for": request.headers.get("x-forwarded-for") ?? "",
    });
    if (r.ok) {
      for (const c of sessionCookies(r.auth, secure)) {
        toSet.push(c);
        request.cookies.set(c.name, c.value);
      }
      access = r.auth.access_token;
    } else if (r.status === 401) {
      toSet.push(...clearedCookies());
      for (const s of [true, false]) request.cookies.delete(cookieNames(s).refresh);
    }
  }

  const nonce = newNonce();
  // PARLEY_BUILT_ASSET_PREFIX is next.config.ts's assetPrefix, inlined at build time.
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development", secure, assetSource(process.env.PARLEY_BUILT_ASSET_PREFIX));
  const signedIn = Boolean(access);

  let response: NextResponse;
  if (!signedIn && PRIVATE.some((re) => re.test(url.pathname))) {
    // Back to the origin the browser used (Next's own URL calls 127.0.0.1 "localhost").
    const to = new URL("/login", expectedOrigin(url, request.headers));
    to.searchParams.set("next", url.pathname + url.search);
    response = NextResponse.redirect(to);
  } else {
    const headers = new Headers(request.headers);
    headers.set("x-nonce", nonce);
    headers.set("content-security-policy", csp);
    // Where the visitor is, for the signed-in layout's redirect to sign-in (never taken from the client).
    headers.set("x-parley-path", url.pathname + url.search);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("content-security-policy", csp);
  response.headers.set("cache-control", "no-store");
  for (const c of toSet) {
    response.cookies.set(c.name, c.value, {
      httpOnly: c.httpOnly,
      secure: c.secure,
      sameSite: c.sameSite,
      path: c.path,
      maxAge: c.maxAge,
    });
  }
  return response;
}

export const config = {
  matcher: [
    {
      // Not for the API, static files, the health routes (probes carry no session), nor the
      // installable-app files: the service worker, the manifest, its icons and the offline
      // page (which sets its own CSP and is cached by the service worker).
      source: "/((?!api/|healthz$|readyz$|_next/static|_next/image|favicon.ico|sw\\.js$|manifest\\.webmanifest$|icons/|offline$).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};

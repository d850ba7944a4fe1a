/** Runtime configuration of the web app, read from the environment on each call (never baked in at build). */

/** apiBaseUrl is the parley API's address without a trailing slash, from PARLEY_API_URL. */
export function apiBaseUrl(): string {
  const raw = process.env.PARLEY_API_URL?.trim() || "http://127.0.0.1:8080";
  return raw.replace(/\/+$/, "");
}

/** signupMode mirrors the API's PARLEY_SIGNUP so the pages can hide or adapt the sign-up form. */
export function signupMode(): "open" | "invite" | "closed" {
  const v = process.env.PARLEY_SIGNUP?.trim();
  return v === "invite" || v === "closed" ? v : "open";
}

/**
 * publicOrigin is the origin visitors use (scheme, host, port), from
 * PARLEY_PUBLIC_URL, e.g. "https://chat.example.com"; null when unset (then
 * the request's Host, and the X-Forwarded-* of a trusted proxy, decide).
 * Redirects, the CSRF origin check and the cookies' Secure flag follow it;
 * scripts/server.mjs refuses to start on a value that is not an http(s) URL.
 */
export function publicOrigin(): string | null {
  const raw = process.env.PARLEY_PUBLIC_URL?.trim();
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : null;
  } catch {
    return null;
  }
}

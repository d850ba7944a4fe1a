/**
 * The one check of a post-sign-in redirect (`next`): it may only name a path
 * of this origin. Browsers read "/\evil", "/\t/evil" (tabs and newlines are
 * dropped from URLs) and "//evil" as another host, and some servers decode
 * "%2F"/"%5C" into slashes, so any of those, control characters, schemes
 * and hosts are refused outright rather than repaired.
 */

/** DEFAULT_NEXT is where a sign-in goes when `next` is missing or refused. */
export const DEFAULT_NEXT = "/chat";

// Backslashes, ASCII control characters (tab, CR, LF among them) and DEL.
const FORBIDDEN = /[\\\u0000-\u001f\u007f]/;
// Slashes, backslashes and control characters in percent-encoded form.
const ENCODED = /%(2f|5c|[01][0-9a-f]|7f)/i;
const BASE = "http://next.invalid";

/** safeNext returns next when it is a same-origin path ("/…", not "//…"), else fallback. */
export function safeNext(next: string | null | undefined, fallback: string = DEFAULT_NEXT): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return fallback;
  if (next[0] !== "/" || next[1] === "/" || FORBIDDEN.test(next) || ENCODED.test(next)) return fallback;
  let u: URL;
  try {
    u = new URL(next, BASE);
  } catch {
    return fallback;
  }
  // Whatever the parser made of it must still be a path here.
  if (u.origin !== BASE || u.username || u.password) return fallback;
  return u.pathname + u.search + u.hash;
}

/**
 * GET /offline: the page the service worker (public/sw.js) shows when a page
 * cannot load for lack of network. It is self-contained (no script, no
 * external file: it must work from the cache), in the visitor's language, with
 * a CSP of its own that admits exactly its one inline stylesheet by hash.
 */
import { createHash } from "node:crypto";
import { dirOf, type Locale } from "@/lib/prefs";
import { readPrefs } from "@/lib/prefs-server";

export const dynamic = "force-dynamic";

const STYLE = `:root{color-scheme:light dark;--bg:light-dark(#f7f7f8,#0b0b0f);--fg:light-dark(#18181b,#ececf1);--muted:light-dark(#52525b,#a1a1aa);--card:light-dark(#fff,#131318);--border:light-dark(#e4e4e7,#2a2a33)}
:root.light{color-scheme:light}:root.dark{color-scheme:dark}
*{box-sizing:border-box}body{margin:0;min-height:100dvh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif;padding:24px}
main{max-width:28rem;text-align:center;background:var(--card);border:1px solid var(--border);border-radius:16px;padding:32px}
svg{width:48px;height:48px}h1{font-size:1.5rem;margin:16px 0 8px;letter-spacing:-.01em}p{color:var(--muted);margin:0 0 24px}
a{display:inline-block;background:var(--fg);color:var(--bg);text-decoration:none;font-weight:600;padding:10px 20px;border-radius:10px}a:focus-visible{outline:2px solid #2563eb;outline-offset:2px}`;
const STYLE_HASH = createHash("sha256").update(STYLE).digest("base64");
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export async function GET(): Promise<Response> {
  const { locale, theme } = await readPrefs();
  const m = (await import(`../../messages/${locale as Locale}.json`)).default.offline as { title: string; body: string; retry: string };
  const cls = theme === "system" ? "" : ` class="${theme}"`;
  const html = `<!doctype html><html lang="${locale}" dir="${dirOf(locale)}"${cls}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(m.title)} · parley</title><style>${STYLE}</style></head><body><main><svg viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#c2410c"/><path d="M8 9.5h11a3 3 0 0 1 3 3v5a3 3 0 0 1-3 3h-5.5L9.5 24v-3.5H8a3 3 0 0 1-3-3v-5a3 3 0 0 1 3-3Z" fill="#fff"/></svg><h1>${esc(m.title)}</h1><p>${esc(m.body)}</p><a href="/chat">${esc(m.retry)}</a></main></body></html>`;
  return new Response(html, {
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP, "cache-control": "no-store", vary: "cookie, accept-language" },
  });
}

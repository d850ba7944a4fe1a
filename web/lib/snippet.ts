/**
 * Search snippets arrive as HTML from GET /search: every matched word in
 * <mark>…</mark>, all other text HTML-escaped. The page never hands that
 * HTML to the browser's parser: parseSnippet cuts it into plain-text pieces,
 * marked or not, that React renders as text, so a message holding markup
 * shows the markup as characters whatever the server sent.
 */

export interface SnippetPart {
  text: string;
  mark: boolean;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** unescapeHTML turns character references back into the characters they stand for; unknown ones stay as written. */
export function unescapeHTML(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, ref: string) => {
    if (ref[0] === "#") {
      const n = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : all;
    }
    return NAMED[ref.toLowerCase()] ?? all;
  });
}

/** parseSnippet splits a snippet on <mark>…</mark>; any other tag-like text is kept as text. */
export function parseSnippet(html: string): SnippetPart[] {
  const out: SnippetPart[] = [];
  const push = (raw: string, mark: boolean) => {
    const text = unescapeHTML(raw);
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.mark === mark) last.text += text;
    else out.push({ text, mark });
  };
  let rest = html;
  for (;;) {
    const open = rest.indexOf("<mark>");
    if (open < 0) break;
    const close = rest.indexOf("</mark>", open + 6);
    if (close < 0) break;
    push(rest.slice(0, open), false);
    push(rest.slice(open + 6, close), true);
    rest = rest.slice(close + 7);
  }
  push(rest, false);
  return out;
}

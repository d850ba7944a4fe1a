import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import Markdown from "@/components/Markdown";
import { highlight } from "@/lib/highlight";

function md(text: string): string {
  return renderToStaticMarkup(createElement(Markdown, { text }));
}

describe("Markdown", () => {
  it("renders code blocks with a copy button and the language class", () => {
    const html = md("Try:\n\n```go\nfunc main() {}\n```\n");
    expect(html).toContain('<button type="button" class="copy" aria-label="Copy code">Copy</button>');
    expect(html).toContain('<code class="hljs language-go">func main() {}\n</code>');
  });

  it("never renders raw HTML from the model", () => {
    const html = md('<script>alert(1)</script> <img src=x onerror="alert(2)">');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
  });

  it("renders GitHub tables and makes links open safely", () => {
    const html = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n[x](https://example.com)");
    expect(html).toContain("<table>");
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });
});

describe("highlight", () => {
  it("marks keywords and strings of a known language", () => {
    const html = renderToStaticMarkup(createElement("code", null, highlight('const s = "hi";', "javascript")));
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-string">&quot;hi&quot;</span>');
  });

  it("guesses an unknown language without failing", () => {
    const code = "def f(x):\n    return x + 1\n";
    const html = renderToStaticMarkup(createElement("code", null, highlight(code, "nosuchlang")));
    expect(html).toContain('<span class="hljs-');
    expect(html.replace(/<[^>]+>/g, "")).toBe(code);
  });
});

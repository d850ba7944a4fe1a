import { NextIntlClientProvider } from "next-intl";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { describe, expect, it } from "vitest";
import Markdown, { hasMath, safeUrl } from "@/components/chat/Markdown";
import { highlight } from "@/lib/highlight";
import { mathRehype, mathRemark } from "@/lib/math";
import en from "@/messages/en.json";

function md(text: string): string {
  return renderToStaticMarkup(
    <NextIntlClientProvider locale="en" messages={en} timeZone="UTC">
      <Markdown text={text} />
    </NextIntlClientProvider>,
  );
}

describe("Markdown", () => {
  it("renders code blocks with a language label, a copy button and the language class", () => {
    const html = md("Try:\n\n```go\nfunc main() {}\n```\n");
    expect(html).toMatch(/<button type="button" class="copy[^"]*" aria-label="Copy code">.*Copy<\/button>/);
    expect(html).toContain('<span class="font-mono" data-testid="code-lang">go</span>');
    expect(html).toContain('<code class="hljs language-go">func main() {}\n</code>');
    expect(html).toMatch(/<div class="[^"]*" dir="ltr">/); // code stays left-to-right in a right-to-left page
  });

  it("never renders raw HTML from the model", () => {
    const html = md('<script>alert(1)</script> <img src=x onerror="alert(2)">');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
  });

  it("renders GitHub tables and makes links open safely", () => {
    const html = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n[x](https://example.com)");
    expect(html).toContain("<table>");
    expect(html).toContain('href="https://example.com" target="_blank" rel="noopener noreferrer nofollow"');
  });

  it("drops javascript: and data: links, keeping their text", () => {
    const html = md("[click](javascript:alert(1)) [img](data:text/html;base64,PHNjcmlwdD4=) [ok](mailto:a@example.com)");
    expect(html).not.toMatch(/javascript:|data:text/);
    expect(html).toContain("<span>click</span>");
    expect(html).toContain('href="mailto:a@example.com"');
    expect(safeUrl("JaVaScRiPt:alert(1)")).toBe("");
  });
});

describe("math", () => {
  it("is noticed only where the text has LaTeX, so KaTeX loads only then", () => {
    expect(hasMath("The price is $5 and $6")).toBe(true); // may be math: KaTeX decides
    expect(hasMath("Euler: $e^{i\\pi} + 1 = 0$")).toBe(true);
    expect(hasMath("\\[ x^2 \\]")).toBe(true);
    expect(hasMath("No math here, only 5 $")).toBe(false);
    expect(hasMath("plain text")).toBe(false);
  });

  it("typesets inline and display formulas with KaTeX", () => {
    const html = renderToStaticMarkup(
      createElement(ReactMarkdown, { remarkPlugins: [remarkGfm, mathRemark], rehypePlugins: [mathRehype as never] }, "Inline $a^2+b^2=c^2$ and\n\n$$\n\\int_0^1 x\\,dx\n$$\n"),
    );
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="katex-display"');
    expect(html).toContain("<math"); // MathML for screen readers
    expect(html).not.toContain("$a^2");
  });

  it("shows a malformed formula as its source instead of failing", () => {
    const html = renderToStaticMarkup(createElement(ReactMarkdown, { remarkPlugins: [mathRemark], rehypePlugins: [mathRehype as never] }, "$\\frac{1}{$"));
    expect(html).toContain("katex");
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

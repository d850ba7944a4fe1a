/**
 * Stands in for hast-util-from-html-isomorphic (next.config.ts aliases it),
 * which rehype-katex uses to turn KaTeX's HTML into a tree. Its browser build
 * parses with the page's DOMParser, and the page's CSP (no inline styles)
 * then reports every style attribute of KaTeX's output as a violation. This
 * parses with parse5 instead, outside the DOM: no CSP is involved, and React
 * applies the styles through element.style, which the CSP allows.
 */
import { fromHtml } from "hast-util-from-html";
import type { Root } from "hast";

export function fromHtmlIsomorphic(value: string, options?: { fragment?: boolean }): Root {
  return fromHtml(value, { fragment: options?.fragment });
}

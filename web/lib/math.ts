/**
 * LaTeX math for answers (remark-math parses $…$ and $$…$$, KaTeX typesets),
 * loaded on demand the first time an answer contains math, so KaTeX's
 * script, styles and fonts stay out of the chat page's first load. KaTeX's
 * inline styles are set by React through the DOM (element.style), which the
 * CSP allows; its fonts come from /_next/static (font-src 'self').
 */
import "katex/dist/katex.min.css";
import rehypeKatex from "rehype-katex";
import remarkMath from "remark-math";

export const mathRemark = remarkMath;
export const mathRehype = [rehypeKatex, { throwOnError: false, strict: "ignore", output: "htmlAndMathml" }] as const;

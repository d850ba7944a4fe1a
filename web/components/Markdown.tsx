"use client";
import { isValidElement, memo, useEffect, useState, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

type Highlighter = (code: string, lang: string | undefined) => ReactNode;
let highlighter: Promise<Highlighter> | null = null;
function loadHighlighter(): Promise<Highlighter> {
  highlighter ??= import("@/lib/highlight").then((m) => m.highlight);
  return highlighter;
}

/** codeOf pulls the language and text out of the <code> element react-markdown puts in a <pre>. */
function codeOf(children: ReactNode): { lang?: string; text: string } {
  const el = Array.isArray(children) ? children.find(isValidElement) : children;
  if (!isValidElement<{ className?: string; children?: ReactNode }>(el)) return { text: "" };
  const lang = /language-([\w+#-]+)/.exec(el.props.className ?? "")?.[1];
  const c = el.props.children;
  return { lang, text: typeof c === "string" ? c : Array.isArray(c) ? c.join("") : "" };
}

function CodeBlock({ children }: { children?: ReactNode }) {
  const { lang, text } = codeOf(children);
  const [copied, setCopied] = useState(false);
  const [lit, setLit] = useState<{ text: string; nodes: ReactNode } | null>(null);
  useEffect(() => {
    let live = true;
    loadHighlighter().then(
      (h) => live && setLit({ text, nodes: h(text, lang) }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [text, lang]);
  return (
    <pre>
      <button
        type="button"
        className="copy"
        aria-label={copied ? "Code copied" : "Copy code"}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          } catch {
            setCopied(false);
          }
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <code className={`hljs${lang ? ` language-${lang}` : ""}`}>{lit?.text === text ? lit.nodes : text}</code>
    </pre>
  );
}

const components: Components = {
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
  a: ({ node: _node, ...p }) => {
    void _node;
    return <a {...p} target="_blank" rel="noopener noreferrer nofollow" />;
  },
};

/** Markdown renders an answer as GitHub-flavoured Markdown with highlighted code; raw HTML is never rendered. */
function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
      {text}
    </ReactMarkdown>
  );
}

export default memo(Markdown);

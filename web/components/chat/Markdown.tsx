"use client";
import { Check, Copy } from "lucide-react";
import { useTranslations } from "next-intl";
import { isValidElement, memo, useEffect, useState, type ReactNode } from "react";
import ReactMarkdown, { defaultUrlTransform, type Components, type Options } from "react-markdown";
import remarkGfm from "remark-gfm";

type Highlighter = (code: string, lang: string | undefined) => ReactNode;
let highlighter: Promise<Highlighter> | null = null;
function loadHighlighter(): Promise<Highlighter> {
  highlighter ??= import("@/lib/highlight").then((m) => m.highlight);
  return highlighter;
}

type MathPlugins = { remark: NonNullable<Options["remarkPlugins"]>[number]; rehype: NonNullable<Options["rehypePlugins"]>[number] };
let mathLoad: Promise<MathPlugins> | null = null;
let mathLoaded: MathPlugins | null = null;
function loadMath(): Promise<MathPlugins> {
  mathLoad ??= import("@/lib/math").then((m) => (mathLoaded = { remark: m.mathRemark, rehype: m.mathRehype as unknown as MathPlugins["rehype"] }));
  return mathLoad;
}

/** hasMath tells whether a text may hold LaTeX ($…$, $$…$$, \(…\), \[…\]): only then is KaTeX loaded. */
export function hasMath(text: string): boolean {
  return /\$[^$\s][^$]*\$|\\\(|\\\[/.test(text);
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
  const t = useTranslations("message");
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
    <div className="not-prose my-3 overflow-hidden rounded-lg border border-border bg-code" dir="ltr">
      <div className="flex h-9 items-center justify-between border-b border-border ps-3 pe-1.5 text-xs text-muted-foreground">
        <span className="font-mono" data-testid="code-lang">
          {lang ?? t("codeText")}
        </span>
        <button
          type="button"
          className="copy inline-flex h-7 items-center gap-1.5 rounded-md px-2 hover:bg-surface-2 hover:text-foreground"
          aria-label={copied ? t("codeCopied") : t("copyCode")}
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
          {copied ? <Check className="size-3.5" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
          {copied ? t("copied") : t("copy")}
        </button>
      </div>
      <pre className="overflow-x-auto p-3.5" tabIndex={0}>
        <code className={`hljs${lang ? ` language-${lang}` : ""}`}>{lit?.text === text ? lit.nodes : text}</code>
      </pre>
    </div>
  );
}

/** safeUrl keeps react-markdown's allow-list of schemes (http, https, mailto, …): javascript: and data: links become empty. */
export function safeUrl(url: string): string {
  return defaultUrlTransform(url);
}

const components: Components = {
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
  a: ({ node: _node, href, ...p }) => {
    void _node;
    return href ? <a {...p} href={href} target="_blank" rel="noopener noreferrer nofollow" /> : <span {...p} />;
  },
  table: ({ node: _node, ...p }) => {
    void _node;
    return (
      <div className="my-3 max-w-full overflow-x-auto" tabIndex={0}>
        <table {...p} />
      </div>
    );
  },
};

/**
 * Markdown renders an answer as GitHub-flavoured Markdown (tables, task
 * lists, strikethrough) with highlighted code and, when the text has any,
 * LaTeX math; raw HTML is never rendered and links open in a new tab
 * without access to this page.
 */
function Markdown({ text }: { text: string }) {
  const math = hasMath(text);
  const [plugins, setPlugins] = useState<MathPlugins | null>(mathLoaded);
  useEffect(() => {
    if (!math || plugins) return;
    let live = true;
    loadMath().then((p) => live && setPlugins(p), () => undefined);
    return () => {
      live = false;
    };
  }, [math, plugins]);
  const withMath = math && plugins;
  return (
    <ReactMarkdown
      remarkPlugins={withMath ? [remarkGfm, plugins.remark] : [remarkGfm]}
      rehypePlugins={withMath ? [plugins.rehype] : []}
      components={components}
      urlTransform={safeUrl}
    >
      {text}
    </ReactMarkdown>
  );
}

export default memo(Markdown);

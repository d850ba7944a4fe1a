"use client";
import { memo, useRef, useState } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

function CodeBlock(props: React.ComponentProps<"pre">) {
  const ref = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const { children, ...rest } = props;
  return (
    <pre ref={ref} {...rest}>
      <button
        type="button"
        className="copy"
        aria-label={copied ? "Code copied" : "Copy code"}
        onClick={async () => {
          const text = ref.current?.querySelector("code")?.textContent ?? "";
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
      {children}
    </pre>
  );
}

const components: Components = {
  pre: ({ node: _node, ...p }) => {
    void _node;
    return <CodeBlock {...p} />;
  },
  a: ({ node: _node, ...p }) => {
    void _node;
    return <a {...p} target="_blank" rel="noopener noreferrer nofollow" />;
  },
};

/** Markdown renders an answer as GitHub-flavoured Markdown with highlighted code; raw HTML is never rendered. */
function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[[rehypeHighlight, { detect: true, ignoreMissing: true }]]} components={components}>
      {text}
    </ReactMarkdown>
  );
}

export default memo(Markdown);

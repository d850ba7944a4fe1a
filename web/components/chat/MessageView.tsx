"use client";
import { Check, Copy, RefreshCw, Sparkles, Zap } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { lazy, memo, Suspense, useState } from "react";
import { Button } from "@/components/ui/button";
import type { StreamStats } from "@/lib/stream-stats";
import type { Message } from "@/lib/types";

const loadMarkdown = () => import("./Markdown");
/**
 * The Markdown renderer (react-markdown, remark-gfm: ~55 KB gzip) is loaded
 * apart from the chat page, which needs it only once there is an answer to
 * show: ChatApp calls preloadMarkdown as soon as a conversation opens or the
 * user starts typing, well before the first token can arrive.
 */
const Markdown = lazy(loadMarkdown);
export function preloadMarkdown(): void {
  void loadMarkdown().catch(() => undefined);
}

/** Actions that appear on hover or focus where there is a pointer that hovers; always shown on touch screens. */
const HOVER_ONLY = "transition-opacity [@media(hover:hover)]:opacity-0 [@media(hover:hover)]:group-hover:opacity-100 [@media(hover:hover)]:group-focus-within:opacity-100";

function CopyButton({ text, label, done }: { text: string; label: string; done: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="ghost"
      size="icon-xs"
      className="text-muted-foreground hover:text-foreground"
      aria-label={copied ? done : label}
      title={copied ? done : label}
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
      {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
    </Button>
  );
}

/** Stats shows an answer's speed and token counts, quietly, under it. */
function Stats({ m, stats }: { m: Message; stats?: StreamStats }) {
  const t = useTranslations("message");
  const f = useFormatter();
  const prompt = stats?.promptTokens || m.prompt_tokens;
  const completion = stats?.completionTokens || m.completion_tokens;
  if (!completion && !stats) return null;
  const parts: string[] = [];
  if (stats?.tokensPerSecond != null) parts.push(t("tokensPerSecond", { n: f.number(stats.tokensPerSecond, { maximumFractionDigits: 0 }) }));
  if (stats?.ttftMs != null) parts.push(t("firstToken", { s: f.number(stats.ttftMs / 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) }));
  parts.push(t("tokens", { n: f.number(completion), prompt: f.number(prompt) }));
  const detail = t("statsDetail", {
    prompt: f.number(prompt),
    completion: f.number(completion),
    total: stats ? f.number(stats.totalMs / 1000, { maximumFractionDigits: 2 }) : "—",
  });
  return (
    <p className="flex items-center gap-1 text-xs text-muted-foreground tabular-nums" title={detail} data-testid="answer-stats">
      {stats?.tokensPerSecond != null && <Zap className="size-3 text-accent" aria-hidden />}
      <span>{parts.join(" · ")}</span>
      <span className="sr-only">. {detail}</span>
    </p>
  );
}

/**
 * MessageView shows one message: the user's as a bubble of plain text, the
 * assistant's as Markdown with its actions (copy, regenerate on the last
 * answer) and, once complete, its speed and token counts.
 */
function MessageView({ m, streaming, last, stats, onRegenerate }: { m: Message; streaming: boolean; last: boolean; stats?: StreamStats; onRegenerate?: () => void }) {
  const t = useTranslations("message");
  if (m.role === "user") {
    return (
      <article className="group flex justify-end" data-testid="user-message" data-message-id={m.id} aria-label={t("you")}>
        <div className="flex max-w-[85%] flex-col items-end gap-1">
          <div className="whitespace-pre-wrap rounded-2xl rounded-se-md bg-user-bubble px-4 py-2.5 leading-relaxed" dir="auto">
            {m.content}
          </div>
          <div className={HOVER_ONLY}>
            <CopyButton text={m.content} label={t("copyMessage")} done={t("copied")} />
          </div>
        </div>
      </article>
    );
  }
  return (
    <article className="group flex gap-3 sm:gap-4" data-testid="assistant-message" data-message-id={m.id} aria-busy={streaming || undefined}>
      <span aria-hidden className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full border border-border bg-background text-accent">
        <Sparkles className="size-3.5" />
      </span>
      <div className="min-w-0 flex-1">
        <div className="mb-1 text-xs font-medium text-muted-foreground">
          {m.model ? `${t("assistant")} · ${m.model}` : t("assistant")}
        </div>
        <div className="prose-chat" data-testid="assistant-body" dir="auto">
          <Suspense fallback={null}>
            <Markdown text={m.content} />
          </Suspense>
          {streaming && m.content === "" && (
            <span className="inline-flex gap-1 py-2" aria-hidden>
              <span className="size-1.5 animate-pulse rounded-full bg-muted-foreground" />
              <span className="size-1.5 animate-pulse rounded-full bg-muted-foreground [animation-delay:150ms]" />
              <span className="size-1.5 animate-pulse rounded-full bg-muted-foreground [animation-delay:300ms]" />
            </span>
          )}
        </div>
        {m.status === "partial" && !streaming && <p className="mt-2 text-xs text-warn">{t("stopped")}</p>}
        {m.status === "error" && !streaming && <p className="mt-2 text-xs text-danger">{t("cutByError")}</p>}
        {!streaming && (
          <div className="mt-1.5 flex flex-wrap items-center gap-1">
            <div className={`flex items-center gap-0.5 ${last ? "" : HOVER_ONLY}`}>
              <CopyButton text={m.content} label={t("copyMessage")} done={t("copied")} />
              {onRegenerate && (
                <Button variant="ghost" size="icon-xs" className="text-muted-foreground hover:text-foreground" aria-label={t("regenerate")} title={t("regenerate")} onClick={onRegenerate}>
                  <RefreshCw aria-hidden />
                </Button>
              )}
            </div>
            <span className="ms-1">
              <Stats m={m} stats={stats} />
            </span>
          </div>
        )}
      </div>
    </article>
  );
}

export default memo(MessageView);

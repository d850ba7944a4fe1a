"use client";
import { ArrowUp, Square } from "lucide-react";
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

/** Composer is the message box: Enter sends, Shift+Enter adds a line, and while an answer streams, Stop ends it. */
export default function Composer({
  value,
  onChange,
  onFocus,
  onSend,
  onStop,
  streaming,
  note,
}: {
  value: string;
  onChange: (v: string) => void;
  onFocus?: () => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
  note: string | null;
}) {
  const t = useTranslations("chat");
  return (
    <div className="shrink-0 px-3 pb-3 pt-1 sm:px-4 sm:pb-4">
      <form
        className="mx-auto max-w-3xl"
        onSubmit={(e) => {
          e.preventDefault();
          onSend();
        }}
      >
        {note && (
          <p role="status" className="mb-2 text-center text-xs text-muted-foreground">
            {note}
          </p>
        )}
        <div className="rounded-2xl border border-input bg-background shadow-soft transition-colors focus-within:border-ring focus-within:ring-4 focus-within:ring-ring/15">
          <label htmlFor="prompt" className="sr-only">
            {t("message")}
          </label>
          <textarea
            id="prompt"
            name="prompt"
            dir="auto"
            placeholder={t("placeholder")}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onFocus={onFocus}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                onSend();
              }
            }}
            rows={2}
            aria-describedby="composer-hint"
            className="block max-h-52 min-h-14 w-full resize-none bg-transparent px-4 pb-1 pt-3.5 text-[15px] leading-relaxed placeholder:text-muted-foreground focus-visible:outline-none [field-sizing:content]"
          />
          <div className="flex items-center gap-2 pb-2 ps-4 pe-2">
            <p id="composer-hint" className="hidden flex-1 items-center gap-1 text-xs text-muted-foreground sm:flex">
              <Kbd>Enter</Kbd> {t("hintSend")} · <Kbd>Shift</Kbd>+<Kbd>Enter</Kbd> {t("hintNewLine")}
            </p>
            <span className="flex-1 sm:hidden" />
            {streaming ? (
              <Button variant="default" size="icon-sm" className="rounded-full" aria-label={t("stop")} title={t("stop")} onClick={onStop}>
                <Square className="fill-current" aria-hidden />
              </Button>
            ) : (
              <Button type="submit" size="icon-sm" className="rounded-full" aria-label={t("send")} title={t("send")} disabled={!value.trim()}>
                <ArrowUp aria-hidden />
              </Button>
            )}
          </div>
        </div>
        <p className="mt-2 text-center text-[11px] text-muted-foreground">{t("disclaimer")}</p>
      </form>
    </div>
  );
}

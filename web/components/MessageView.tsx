"use client";
import type { Message } from "@/lib/types";
import Markdown from "./Markdown";

/** MessageView shows one message: the user's as plain text, the assistant's as Markdown. */
export default function MessageView({ m, streaming }: { m: Message; streaming: boolean }) {
  const mine = m.role === "user";
  return (
    <article className={`msg ${mine ? "user" : "assistant"}`} data-testid={mine ? "user-message" : "assistant-message"} aria-busy={streaming || undefined}>
      <div className="who">{mine ? "You" : m.model ? `Assistant · ${m.model}` : "Assistant"}</div>
      <div className="body" data-testid={mine ? undefined : "assistant-body"}>
        {mine ? m.content : <Markdown text={m.content} />}
      </div>
      {!mine && m.status === "partial" && <div className="status">Stopped before the end.</div>}
      {!mine && m.status === "error" && !streaming && <div className="status">This answer was cut off by an error.</div>}
    </article>
  );
}

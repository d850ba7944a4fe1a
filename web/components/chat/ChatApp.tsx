"use client";
import { ArrowDown, Menu, PanelLeftOpen, SquarePen } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, SheetContent } from "@/components/ui/dialog";
import { NativeSelect } from "@/components/ui/input";
import { api, ApiError, apiFetch, toProblem } from "@/lib/client";
import { useDescribeProblem } from "@/lib/problems-client";
import { SHORTCUT_EVENT, type ShortcutId } from "@/lib/shortcuts";
import { readSSE } from "@/lib/sse";
import { StreamClock, type StreamStats } from "@/lib/stream-stats";
import type { Conversation, List, Message, Models, Problem, Usage } from "@/lib/types";
import { useMedia } from "@/lib/use-media";
import { useStickToBottom } from "@/lib/use-stick-to-bottom";
import Composer from "./Composer";
import MessageView, { preloadMarkdown } from "./MessageView";
import Sidebar from "./Sidebar";

const DRAFT_ID = "draft-assistant";
const SIDEBAR_KEY = "parley_sidebar";
const STARTERS = ["starter1", "starter2", "starter3", "starter4"] as const;

function focusSoon(id: string) {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

/** ChatApp is the chat screen: the conversation list (a sheet on a phone), the open conversation, and the composer. */
export default function ChatApp({ initialId }: { initialId: string | null }) {
  const t = useTranslations("chat");
  const describe = useDescribeProblem();
  const [convs, setConvs] = useState<Conversation[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [more, setMore] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [activeId, setActiveId] = useState<string | null>(initialId);
  const [messages, setMessages] = useState<Message[]>([]);
  const [stats, setStats] = useState<Record<string, StreamStats>>({});
  const [models, setModels] = useState<Models | null>(null);
  const [model, setModel] = useState("");
  const [input, setInput] = useState("");
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [sheetOpen, setSheetOpen] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(true);
  const wide = useMedia("(min-width: 768px)", true);
  const abortRef = useRef<AbortController | null>(null);
  // A conversation created by send() is already on screen: loading it would race the stream.
  const freshRef = useRef<string | null>(null);
  const { ref: scroller, atBottom, toBottom } = useStickToBottom<HTMLDivElement>(messages);
  const router = useRouter();

  useEffect(() => {
    const t0 = setTimeout(() => setSidebarOpen(localStorage.getItem(SIDEBAR_KEY) !== "hidden"), 0);
    return () => clearTimeout(t0);
  }, []);

  // An open conversation needs the Markdown renderer at once; a new chat once the user writes.
  useEffect(() => {
    if (activeId || input) preloadMarkdown();
  }, [activeId, input]);

  const loadConvs = useCallback(
    async (q: string, after?: string) => {
      try {
        const qs = `limit=50${q ? `&q=${encodeURIComponent(q)}` : ""}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`;
        const r = await api<List<Conversation>>(`/conversations?${qs}`);
        setConvs((cur) => (after ? [...cur, ...(r.data ?? [])] : (r.data ?? [])));
        setMore(r.next_cursor ?? null);
        setLoaded(true);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) router.replace("/login?next=/chat");
      }
    },
    [router],
  );

  useEffect(() => {
    const tm = setTimeout(() => void loadConvs(query), query ? 200 : 0);
    return () => clearTimeout(tm);
  }, [query, loadConvs]);

  useEffect(() => {
    api<Models>("/models")
      .then((m) => {
        setModels(m);
        setModel((cur) => cur || m.default_model || m.data?.[0]?.id || "");
      })
      .catch(() => setModels({ data: [], default_model: "", configured: true }));
  }, []);

  useEffect(() => {
    if (!activeId || activeId === freshRef.current) return;
    let live = true;
    api<Conversation>(`/conversations/${activeId}`)
      .then((c) => {
        if (!live) return;
        setMessages(c.messages ?? []);
        if (c.model) setModel(c.model);
        toBottom(false);
      })
      .catch((e) => live && setError(e instanceof ApiError && e.status === 404 ? t("notFound") : describe(e instanceof ApiError ? e.problem : null)));
    return () => {
      live = false;
    };
  }, [activeId, describe, t, toBottom]);

  useEffect(() => {
    const onPop = () => {
      freshRef.current = null;
      const m = /^\/chat\/([^/]+)/.exec(window.location.pathname);
      setActiveId(m ? decodeURIComponent(m[1]) : null);
      if (!m) setMessages([]);
    };
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const flash = useCallback((text: string) => {
    setNote(text);
    setTimeout(() => setNote((cur) => (cur === text ? null : cur)), 4000);
  }, []);

  const select = useCallback((id: string | null) => {
    abortRef.current?.abort();
    freshRef.current = null;
    setError(null);
    setActiveId(id);
    if (!id) setMessages([]);
    setSheetOpen(false);
    window.history.pushState(null, "", id ? `/chat/${id}` : "/chat");
    if (!id) focusSoon("prompt");
  }, []);

  const toggleSidebar = useCallback(
    (open?: boolean) => {
      if (!wide) return setSheetOpen((o) => open ?? !o);
      setSidebarOpen((o) => {
        const v = open ?? !o;
        localStorage.setItem(SIDEBAR_KEY, v ? "shown" : "hidden");
        return v;
      });
    },
    [wide],
  );

  const lastAnswer = [...messages].reverse().find((m) => m.role === "assistant");

  useEffect(() => {
    const on = (e: Event) => {
      const id = (e as CustomEvent<ShortcutId>).detail;
      if (id === "newChat") select(null);
      else if (id === "focusSearch") {
        toggleSidebar(true);
        setTimeout(() => document.getElementById("conv-search")?.focus(), 50);
      } else if (id === "toggleSidebar") toggleSidebar();
      else if (id === "stop") abortRef.current?.abort();
      else if (id === "focusComposer") focusSoon("prompt");
      else if (id === "editLast") flash(t("editSoon"));
      else if (id === "copyLast" && lastAnswer) void navigator.clipboard.writeText(lastAnswer.content).then(() => flash(t("copiedLast")), () => undefined);
    };
    window.addEventListener(SHORTCUT_EVENT, on);
    return () => window.removeEventListener(SHORTCUT_EVENT, on);
  }, [select, toggleSidebar, flash, t, lastAnswer]);

  async function explain(p: Problem): Promise<string> {
    if (p.code === "quota_exceeded") {
      const u = await api<Usage>("/usage").catch(() => null);
      return describe(p, u?.resets_at);
    }
    return describe(p);
  }

  /** run posts to a streaming endpoint and folds its events into the message list. */
  async function run(path: string, body: unknown, unsent?: string) {
    const ctl = new AbortController();
    abortRef.current = ctl;
    setStreaming(true);
    setError(null);
    const clock = new StreamClock(performance.now());
    try {
      const res = await apiFetch(path, { method: "POST", json: body, signal: ctl.signal, headers: { accept: "text/event-stream" } });
      if (!res.ok || !res.body) {
        setMessages((ms) => ms.filter((m) => m.id !== DRAFT_ID && !m.id.startsWith("local-")));
        // Nothing was sent: give the text back so it can be sent again,
        // or show the answer a refused regeneration would have replaced.
        if (unsent !== undefined) setInput((cur) => cur || unsent);
        else if (activeId) {
          const c = await api<Conversation>(`/conversations/${activeId}`).catch(() => null);
          if (c) setMessages(c.messages ?? []);
        }
        setError(await explain(await toProblem(res)));
        return;
      }
      let draftId = DRAFT_ID;
      for await (const ev of readSSE(res.body)) {
        const data = ev.data ? JSON.parse(ev.data) : {};
        if (ev.event === "start") {
          draftId = data.assistant_message_id || DRAFT_ID;
          setMessages((ms) =>
            ms.map((m) => {
              if (m.id.startsWith("local-") && data.user_message) return data.user_message as Message;
              if (m.id === DRAFT_ID) return { ...m, id: draftId, model: data.model ?? m.model };
              return m;
            }),
          );
        } else if (ev.event === "delta") {
          if (data.content) clock.text(performance.now());
          setMessages((ms) => ms.map((m) => (m.id === draftId ? { ...m, content: m.content + (data.content ?? "") } : m)));
        } else if (ev.event === "done") {
          const done = data.message as Message;
          const s = clock.done(performance.now(), data.usage);
          setStats((cur) => ({ ...cur, [done.id]: s }));
          setMessages((ms) => ms.map((m) => (m.id === draftId ? done : m)));
        } else if (ev.event === "error") {
          setMessages((ms) => ms.map((m) => (m.id === draftId ? { ...m, status: "error" } : m)));
          setError(await explain(data as Problem));
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) {
        // Stopped by the user: keep what arrived, marked as partial.
        setMessages((ms) => ms.map((m, i) => (i === ms.length - 1 && m.role === "assistant" ? { ...m, status: "partial" } : m)));
      } else {
        setError(t("connectionLost", { message: (e as Error).message }));
      }
    } finally {
      abortRef.current = null;
      setStreaming(false);
      void loadConvs(query);
    }
  }

  async function send(text?: string) {
    const content = (text ?? input).trim();
    if (!content || streaming) return;
    let id = activeId;
    if (!id) {
      try {
        const c = await api<Conversation>("/conversations", { method: "POST", json: { model: model || undefined } });
        id = c.id;
        freshRef.current = id;
        setConvs((cs) => [c, ...cs]);
        setActiveId(id);
        window.history.pushState(null, "", `/chat/${id}`);
      } catch (e) {
        setError(describe(e instanceof ApiError ? e.problem : null));
        return;
      }
    }
    setInput("");
    toBottom(false);
    const now = new Date().toISOString();
    const base = { conversation_id: id, model, prompt_tokens: 0, completion_tokens: 0, created_at: now };
    setMessages((ms) => [
      ...ms,
      { ...base, id: `local-${Date.now()}`, role: "user", content, status: "complete" },
      { ...base, id: DRAFT_ID, role: "assistant", content: "", status: "partial" },
    ]);
    await run(`/conversations/${id}/messages`, { content, model: model || undefined }, content);
  }

  async function regenerate() {
    if (!activeId || streaming) return;
    toBottom(false);
    setMessages((ms) => {
      const last = ms[ms.length - 1];
      const kept = last?.role === "assistant" ? ms.slice(0, -1) : ms;
      return [...kept, { id: DRAFT_ID, conversation_id: activeId, role: "assistant", content: "", model, status: "partial", prompt_tokens: 0, completion_tokens: 0, created_at: new Date().toISOString() }];
    });
    await run(`/conversations/${activeId}/regenerate`, { model: model || undefined });
  }

  const notConfigured = models && !models.configured;
  const canRegenerate = !streaming && messages.some((m) => m.role === "user");
  const title = convs.find((c) => c.id === activeId)?.title;

  const sidebar = (hide?: () => void) => (
    <Sidebar
      items={convs}
      loaded={loaded}
      activeId={activeId}
      query={query}
      onQuery={setQuery}
      onMore={more ? () => void loadConvs(query, more) : undefined}
      onNew={() => select(null)}
      onSelect={select}
      onHide={hide}
      onRename={async (id, newTitle) => {
        await api(`/conversations/${id}`, { method: "PATCH", json: { title: newTitle } }).catch((e) => setError(describe(e?.problem)));
        await loadConvs(query);
      }}
      onDelete={async (id) => {
        await api(`/conversations/${id}`, { method: "DELETE" }).catch((e) => setError(describe(e?.problem)));
        if (id === activeId) select(null);
        await loadConvs(query);
      }}
    />
  );

  return (
    <div className="flex h-[calc(100dvh-3.5rem)] min-h-0">
      {wide && sidebarOpen && (
        <aside id="conversations" aria-label={t("conversations")} className="hidden w-72 shrink-0 border-e border-border bg-surface md:block">
          {sidebar(() => toggleSidebar(false))}
        </aside>
      )}
      {!wide && (
        <Dialog open={sheetOpen} onOpenChange={setSheetOpen}>
          <SheetContent title={t("conversations")}>{sidebar()}</SheetContent>
        </Dialog>
      )}
      <main id="main" className="relative flex min-w-0 flex-1 flex-col">
        <h1 className="sr-only">{title || t("newChat")}</h1>
        <p className="sr-only" role="status" aria-live="polite">
          {streaming ? t("answering") : messages.length > 0 ? t("answerComplete") : ""}
        </p>
        <div className="flex h-12 shrink-0 items-center gap-1 px-2 sm:px-3">
          {!wide && (
            <Button variant="ghost" size="icon" aria-label={t("conversations")} aria-expanded={sheetOpen} onClick={() => setSheetOpen(true)}>
              <Menu aria-hidden />
            </Button>
          )}
          {wide && !sidebarOpen && (
            <Button variant="ghost" size="icon" aria-label={t("showSidebar")} title={t("showSidebar")} onClick={() => toggleSidebar(true)}>
              <PanelLeftOpen aria-hidden className="rtl:-scale-x-100" />
            </Button>
          )}
          <label htmlFor="model" className="sr-only">
            {t("model")}
          </label>
          <NativeSelect id="model" value={model} onChange={(e) => setModel(e.target.value)} className="h-9 w-auto max-w-[62vw] truncate border-transparent bg-transparent font-medium hover:bg-surface-2 sm:max-w-xs" dir="ltr">
            {(models?.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
            {model && !(models?.data ?? []).some((m) => m.id === model) && <option value={model}>{model}</option>}
          </NativeSelect>
          <span className="flex-1" />
          {(!wide || !sidebarOpen) && (
            <Button variant="ghost" size="icon" aria-label={t("newChat")} title={t("newChat")} onClick={() => select(null)}>
              <SquarePen aria-hidden />
            </Button>
          )}
        </div>
        <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto" role="log" aria-label={t("messages")} aria-live="off">
          <div className="mx-auto flex max-w-3xl flex-col gap-7 px-4 pb-6 pt-4 sm:px-6">
            {notConfigured && (
              <Alert tone="warn" role="status" data-testid="not-configured">
                {t("notConfigured")}
              </Alert>
            )}
            {messages.length === 0 && !notConfigured && !activeId && (
              <div className="flex flex-col items-center pt-[12vh] text-center">
                <h2 className="text-2xl font-semibold tracking-tight sm:text-3xl">{t("emptyTitle")}</h2>
                <p className="mt-2 text-sm text-muted-foreground">{t("emptyLead")}</p>
                <ul className="mt-8 grid w-full max-w-xl gap-2 sm:grid-cols-2">
                  {STARTERS.map((k) => (
                    <li key={k}>
                      <button
                        type="button"
                        className="h-full w-full rounded-xl border border-border bg-background px-4 py-3 text-start text-sm transition-colors hover:bg-surface"
                        onClick={() => {
                          setInput(t(k));
                          focusSoon("prompt");
                        }}
                      >
                        {t(k)}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {messages.map((m) => (
              <MessageView
                key={m.id}
                m={m}
                streaming={streaming && m === messages[messages.length - 1]}
                last={m === lastAnswer}
                stats={stats[m.id]}
                onRegenerate={m === lastAnswer && canRegenerate ? regenerate : undefined}
              />
            ))}
            {error && (
              <Alert tone="danger" role="alert" data-testid="chat-error">
                {error}
              </Alert>
            )}
          </div>
        </div>
        {!atBottom && (
          <Button
            variant="outline"
            size="icon-sm"
            className="absolute bottom-36 start-1/2 z-10 -translate-x-1/2 rounded-full shadow-lg rtl:translate-x-1/2"
            aria-label={t("scrollToBottom")}
            title={t("scrollToBottom")}
            onClick={() => toBottom()}
          >
            <ArrowDown aria-hidden />
          </Button>
        )}
        <Composer value={input} onChange={setInput} onFocus={preloadMarkdown} onSend={() => void send()} onStop={() => abortRef.current?.abort()} streaming={streaming} note={note} />
      </main>
    </div>
  );
}

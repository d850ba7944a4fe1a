"use client";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, apiFetch, toProblem } from "@/lib/client";
import { describeProblem } from "@/lib/problems";
import { readSSE } from "@/lib/sse";
import type { Conversation, List, Message, Models, Problem, Usage } from "@/lib/types";
import ConversationList from "./ConversationList";
import MessageView from "./MessageView";

const DRAFT_ID = "draft-assistant";

/** ChatApp is the chat screen: conversation list, the open conversation, and the composer. */
export default function ChatApp({ initialId }: { initialId: string | null }) {
  const [convs, setConvs] = useState<Conversation[]>([]);
  const [more, setMore] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [activeId, setActiveId] = useState<string | null>(initialId);
  const [messages, setMessages] = useState<Message[]>([]);
  const [models, setModels] = useState<Models | null>(null);
  const [model, setModel] = useState("");
  const [input, setInput] = useState("");
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  // A conversation created by send() is already on screen: loading it would race the stream.
  const freshRef = useRef<string | null>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const router = useRouter();

  const loadConvs = useCallback(async (q: string, after?: string) => {
    try {
      const qs = `limit=50${q ? `&q=${encodeURIComponent(q)}` : ""}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`;
      const r = await api<List<Conversation>>(`/conversations?${qs}`);
      setConvs((cur) => (after ? [...cur, ...(r.data ?? [])] : r.data ?? []));
      setMore(r.next_cursor ?? null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) router.replace("/login?next=/chat");
    }
  }, [router]);

  useEffect(() => {
    const t = setTimeout(() => void loadConvs(query), query ? 200 : 0);
    return () => clearTimeout(t);
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
      })
      .catch((e) => live && setError(e instanceof ApiError && e.status === 404 ? "This conversation does not exist." : describeProblem(e instanceof ApiError ? e.problem : null)));
    return () => {
      live = false;
    };
  }, [activeId]);

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

  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [messages]);

  const select = (id: string | null) => {
    abortRef.current?.abort();
    freshRef.current = null;
    setError(null);
    setActiveId(id);
    if (!id) setMessages([]);
    setMenuOpen(false);
    window.history.pushState(null, "", id ? `/chat/${id}` : "/chat");
  };

  async function explain(p: Problem): Promise<string> {
    if (p.code === "quota_exceeded") {
      const u = await api<Usage>("/usage").catch(() => null);
      return describeProblem(p, new Date(), u?.resets_at);
    }
    return describeProblem(p);
  }

  /** run posts to a streaming endpoint and folds its events into the message list. */
  async function run(path: string, body: unknown, unsent?: string) {
    const ctl = new AbortController();
    abortRef.current = ctl;
    setStreaming(true);
    setError(null);
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
          setMessages((ms) => ms.map((m) => (m.id === draftId ? { ...m, content: m.content + (data.content ?? "") } : m)));
        } else if (ev.event === "done") {
          setMessages((ms) => ms.map((m) => (m.id === draftId ? (data.message as Message) : m)));
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
        setError(`The connection was lost: ${(e as Error).message}. Your partial answer is kept; try regenerating.`);
      }
    } finally {
      abortRef.current = null;
      setStreaming(false);
      void loadConvs(query);
    }
  }

  async function send() {
    const content = input.trim();
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
        setError(describeProblem(e instanceof ApiError ? e.problem : null));
        return;
      }
    }
    setInput("");
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
    setMessages((ms) => {
      const last = ms[ms.length - 1];
      const kept = last?.role === "assistant" ? ms.slice(0, -1) : ms;
      return [...kept, { id: DRAFT_ID, conversation_id: activeId, role: "assistant", content: "", model, status: "partial", prompt_tokens: 0, completion_tokens: 0, created_at: new Date().toISOString() }];
    });
    await run(`/conversations/${activeId}/regenerate`, { model: model || undefined });
  }

  const notConfigured = models && !models.configured;
  const canRegenerate = !streaming && messages.length > 0 && messages.some((m) => m.role === "user");

  return (
    <div className={`chat${menuOpen ? " open" : ""}`}>
      <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="conversations" onClick={() => setMenuOpen((o) => !o)}>
        {menuOpen ? "Back to the conversation" : "Conversations"}
      </button>
      <ConversationList
        items={convs}
        activeId={activeId}
        query={query}
        onQuery={setQuery}
        onMore={more ? () => void loadConvs(query, more) : undefined}
        onNew={() => select(null)}
        onSelect={select}
        onRename={async (id, title) => {
          await api(`/conversations/${id}`, { method: "PATCH", json: { title } }).catch((e) => setError(describeProblem(e?.problem)));
          await loadConvs(query);
        }}
        onDelete={async (id) => {
          await api(`/conversations/${id}`, { method: "DELETE" }).catch((e) => setError(describeProblem(e?.problem)));
          if (id === activeId) select(null);
          await loadConvs(query);
        }}
      />
      <main id="main" className="main">
        <p className="skip" role="status" aria-live="polite">
          {streaming ? "The assistant is answering." : messages.length > 0 ? "Answer complete." : ""}
        </p>
        <div className="msgs" aria-label="Messages" role="log" aria-live="off">
          {notConfigured && (
            <p className="notice" role="status" data-testid="not-configured">
              No Groq API key is configured, so parley cannot answer yet. An administrator must set PARLEY_GROQ_API_KEYS (or try it offline with groqmock, see the README).
            </p>
          )}
          {messages.length === 0 && !notConfigured && <p className="muted">Start a conversation: type a message below.</p>}
          {messages.map((m) => (
            <MessageView key={m.id} m={m} streaming={streaming && m === messages[messages.length - 1]} />
          ))}
          {error && (
            <p role="alert" className="error" data-testid="chat-error">
              {error}
            </p>
          )}
          <div ref={endRef} />
        </div>
        <div className="composer">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void send();
            }}
          >
            <label htmlFor="prompt" className="skip">
              Message
            </label>
            <textarea
              id="prompt"
              name="prompt"
              placeholder="Message parley (Enter to send, Shift+Enter for a new line)"
              value={input}
              onChange={(e) => setInput(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                  e.preventDefault();
                  void send();
                }
              }}
              rows={3}
            />
            <div className="bar">
              <label htmlFor="model" className="skip">
                Model
              </label>
              <select id="model" value={model} onChange={(e) => setModel(e.target.value)} aria-label="Model">
                {(models?.data ?? []).map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id}
                  </option>
                ))}
                {model && !(models?.data ?? []).some((m) => m.id === model) && <option value={model}>{model}</option>}
              </select>
              <span className="grow" />
              <button type="button" onClick={() => void regenerate()} disabled={!canRegenerate}>
                Regenerate
              </button>
              {streaming ? (
                <button type="button" className="danger" onClick={() => abortRef.current?.abort()}>
                  Stop
                </button>
              ) : (
                <button type="submit" className="primary" disabled={!input.trim()}>
                  Send
                </button>
              )}
            </div>
          </form>
        </div>
      </main>
    </div>
  );
}

"use client";
import Link from "next/link";
import { useState } from "react";
import type { Conversation } from "@/lib/types";

/** ConversationList shows the user's conversations, newest first, with search, rename and delete. */
export default function ConversationList(props: {
  items: Conversation[];
  activeId: string | null;
  query: string;
  onQuery: (q: string) => void;
  onNew: () => void;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onMore?: () => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <aside id="conversations" className="sidebar" aria-label="Conversations">
      <div className="tools">
        <button type="button" className="primary" onClick={props.onNew}>
          New chat
        </button>
        <label htmlFor="conv-search" className="skip">
          Search conversations by title
        </label>
        <input id="conv-search" type="search" placeholder="Search by title" aria-label="Search conversations by title" value={props.query} onChange={(e) => props.onQuery(e.target.value)} />
      </div>
      <ul className="convs" data-testid="conversation-list">
        {props.items.length === 0 && <li className="muted">No conversations yet.</li>}
        {props.items.map((c) => (
          <li key={c.id} className={c.id === props.activeId ? "active" : undefined}>
            {editing === c.id ? (
              <form
                onSubmit={async (e) => {
                  e.preventDefault();
                  const t = String(new FormData(e.currentTarget).get("title") ?? "").trim();
                  if (t) await props.onRename(c.id, t);
                  setEditing(null);
                }}
              >
                <input name="title" aria-label="New title" defaultValue={c.title} autoFocus onKeyDown={(e) => e.key === "Escape" && setEditing(null)} />
                <button type="submit">Save</button>
              </form>
            ) : (
              <>
                <Link
                  href={`/chat/${c.id}`}
                  aria-current={c.id === props.activeId ? "page" : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    props.onSelect(c.id);
                  }}
                >
                  {c.title || "New conversation"}
                </Link>
                <button type="button" aria-label={`Rename ${c.title || "conversation"}`} onClick={() => setEditing(c.id)}>
                  Rename
                </button>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Delete ${c.title || "conversation"}`}
                  onClick={() => {
                    if (window.confirm(`Delete “${c.title || "this conversation"}”?`)) void props.onDelete(c.id);
                  }}
                >
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
        {props.onMore && (
          <li>
            <button type="button" onClick={props.onMore}>
              Show older conversations
            </button>
          </li>
        )}
      </ul>
    </aside>
  );
}

"use client";
import { Check, PanelLeftClose, Pencil, Search, SquarePen, Trash2, X } from "lucide-react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { groupConversations } from "@/lib/conversation-groups";
import type { Conversation } from "@/lib/types";
import { cn } from "@/lib/utils";

export interface SidebarProps {
  items: Conversation[];
  loaded: boolean;
  activeId: string | null;
  query: string;
  onQuery: (q: string) => void;
  onNew: () => void;
  onSelect: (id: string) => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onMore?: () => void;
  /** onHide collapses the sidebar (wide screens); absent in the phone's sheet. */
  onHide?: () => void;
}

function Row({ c, active, onSelect, onRename, onAskDelete }: { c: Conversation; active: boolean; onSelect: (id: string) => void; onRename: (id: string, title: string) => Promise<void>; onAskDelete: (c: Conversation) => void }) {
  const t = useTranslations("sidebar");
  const [editing, setEditing] = useState(false);
  const title = c.title || t("untitled");
  if (editing) {
    return (
      <li>
        <form
          className="flex items-center gap-1 rounded-lg bg-background p-1 ring-1 ring-border"
          onSubmit={async (e) => {
            e.preventDefault();
            const v = String(new FormData(e.currentTarget).get("title") ?? "").trim();
            if (v && v !== c.title) await onRename(c.id, v);
            setEditing(false);
          }}
        >
          <Input
            name="title"
            aria-label={t("newTitle")}
            defaultValue={c.title}
            autoFocus
            maxLength={200}
            className="h-8 border-0 px-2 focus-visible:outline-1"
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.stopPropagation();
                setEditing(false);
              }
            }}
          />
          <Button type="submit" variant="ghost" size="icon-xs" aria-label={t("save")} title={t("save")}>
            <Check aria-hidden />
          </Button>
          <Button variant="ghost" size="icon-xs" aria-label={t("cancel")} title={t("cancel")} onClick={() => setEditing(false)}>
            <X aria-hidden />
          </Button>
        </form>
      </li>
    );
  }
  return (
    <li className={cn("group relative flex items-center rounded-lg", active ? "bg-surface-2" : "hover:bg-surface-2/70")}>
      <Link
        href={`/chat/${c.id}`}
        aria-current={active ? "page" : undefined}
        className={cn("block min-w-0 flex-1 truncate rounded-lg py-2 ps-3 pe-2 text-sm no-underline", active ? "font-medium text-foreground" : "text-foreground/90")}
        title={title}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return; // a new tab keeps working
          e.preventDefault();
          onSelect(c.id);
        }}
      >
        {title}
      </Link>
      <span
        className={cn(
          "flex shrink-0 items-center pe-1 [@media(hover:hover)]:opacity-0 [@media(hover:hover)]:group-hover:opacity-100 [@media(hover:hover)]:group-focus-within:opacity-100",
          active && "[@media(hover:hover)]:opacity-100",
        )}
      >
        <Button variant="ghost" size="icon-xs" className="text-muted-foreground hover:text-foreground" aria-label={t("rename", { title })} title={t("renameShort")} onClick={() => setEditing(true)}>
          <Pencil aria-hidden />
        </Button>
        <Button variant="ghost" size="icon-xs" className="text-muted-foreground hover:text-danger" aria-label={t("delete", { title })} title={t("deleteShort")} onClick={() => onAskDelete(c)}>
          <Trash2 aria-hidden />
        </Button>
      </span>
    </li>
  );
}

/**
 * Sidebar is the conversation list: new chat, search by title, the
 * conversations in dated sections (today, yesterday, the previous 7 and 30
 * days, older) with rename and delete on each. Pinned conversations, folders
 * and the archive come as further sections above the dated ones.
 */
export default function Sidebar(props: SidebarProps) {
  const t = useTranslations("sidebar");
  const [confirm, setConfirm] = useState<Conversation | null>(null);
  const groups = useMemo(() => groupConversations(props.items), [props.items]);
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex items-center gap-1 p-2">
        <Button variant="ghost" className="flex-1 justify-start gap-2.5 px-2.5" onClick={props.onNew}>
          <SquarePen aria-hidden />
          {t("newChat")}
        </Button>
        {props.onHide && (
          <Button variant="ghost" size="icon" className="text-muted-foreground" aria-label={t("hide")} title={t("hide")} onClick={props.onHide}>
            <PanelLeftClose aria-hidden className="rtl:-scale-x-100" />
          </Button>
        )}
      </div>
      <div className="px-2 pb-2">
        <div className="relative">
          <Search className="pointer-events-none absolute start-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            id="conv-search"
            type="search"
            placeholder={t("searchPlaceholder")}
            aria-label={t("searchLabel")}
            value={props.query}
            onChange={(e) => props.onQuery(e.target.value)}
            className="h-9 bg-background ps-8"
          />
        </div>
      </div>
      <nav aria-label={t("listLabel")} className="min-h-0 flex-1 overflow-y-auto px-2 pb-3" data-testid="conversation-list">
        {props.loaded && props.items.length === 0 && <p className="px-3 py-6 text-center text-sm text-muted-foreground">{props.query ? t("noMatch") : t("empty")}</p>}
        {groups.map((g) => (
          <section key={g.key} aria-labelledby={`group-${g.key}`} className="mt-3 first:mt-1">
            <h2 id={`group-${g.key}`} className="px-3 pb-1 text-xs font-medium text-muted-foreground">
              {t(`group.${g.key}`)}
            </h2>
            <ul className="space-y-0.5">
              {g.items.map((c) => (
                <Row key={c.id} c={c} active={c.id === props.activeId} onSelect={props.onSelect} onRename={props.onRename} onAskDelete={setConfirm} />
              ))}
            </ul>
          </section>
        ))}
        {props.onMore && (
          <div className="px-1 pt-3">
            <Button variant="outline" size="sm" className="w-full" onClick={props.onMore}>
              {t("more")}
            </Button>
          </div>
        )}
      </nav>
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={t("deleteTitle")}
        description={t("deleteBody", { title: confirm?.title || t("untitled") })}
        confirmLabel={t("deleteConfirm")}
        cancelLabel={t("cancel")}
        onConfirm={() => {
          if (confirm) void props.onDelete(confirm.id);
          setConfirm(null);
        }}
      />
    </div>
  );
}

/**
 * How the sidebar sorts conversations into sections. Dates are compared as
 * calendar days in the browser's time zone. Pinned conversations and folders
 * (with the server's support, later) become sections before these.
 */
import type { Conversation } from "./types";

export type GroupKey = "today" | "yesterday" | "previous7" | "previous30" | "older";

export interface Group {
  key: GroupKey;
  items: Conversation[];
}

const ORDER: GroupKey[] = ["today", "yesterday", "previous7", "previous30", "older"];

function dayNumber(d: Date): number {
  return Math.floor(new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() / 86_400_000);
}

/** groupOf says which section a conversation last active at `at` belongs in, seen at `now`. */
export function groupOf(at: Date, now: Date): GroupKey {
  const days = dayNumber(now) - dayNumber(at);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  if (days <= 7) return "previous7";
  if (days <= 30) return "previous30";
  return "older";
}

/** groupConversations splits a newest-first list into dated sections, keeping the order within each. */
export function groupConversations(items: Conversation[], now: Date = new Date()): Group[] {
  const by = new Map<GroupKey, Conversation[]>();
  for (const c of items) {
    const k = groupOf(new Date(c.updated_at || c.created_at), now);
    by.set(k, [...(by.get(k) ?? []), c]);
  }
  return ORDER.filter((k) => by.has(k)).map((key) => ({ key, items: by.get(key)! }));
}

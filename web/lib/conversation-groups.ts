/**
 * How the sidebar sorts conversations into sections: pinned ones first, then
 * one section per folder, then the rest by date. Dates are compared as
 * calendar days in the browser's time zone.
 */
import type { Conversation, Folder } from "./types";

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

export interface Sections {
  /** Pinned conversations, wherever they are filed. */
  pinned: Conversation[];
  /** Every folder (empty ones too, so they can be filled), each with its unpinned conversations. */
  folders: { folder: Folder; items: Conversation[] }[];
  /** The unpinned, unfiled conversations by date. */
  dated: Group[];
}

/**
 * sidebarSections sorts the loaded (unarchived) conversations: a pinned one
 * shows only under Pinned; a conversation whose folder is unknown (deleted
 * meanwhile) counts as unfiled. Order within a section is the list's.
 */
export function sidebarSections(items: Conversation[], folders: Folder[], now: Date = new Date()): Sections {
  const known = new Map(folders.map((f) => [f.id, [] as Conversation[]]));
  const pinned: Conversation[] = [];
  const rest: Conversation[] = [];
  for (const c of items) {
    if (c.archived) continue;
    if (c.pinned) pinned.push(c);
    else if (c.folder_id && known.has(c.folder_id)) known.get(c.folder_id)!.push(c);
    else rest.push(c);
  }
  return { pinned, folders: folders.map((folder) => ({ folder, items: known.get(folder.id)! })), dated: groupConversations(rest, now) };
}

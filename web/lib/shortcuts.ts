/**
 * Keyboard shortcuts: one table of what each does and which keys press it,
 * read by the key handler (components/shell/KeyboardShortcuts.tsx) and by the
 * help sheet that lists them. "mod" is Ctrl, or ⌘ on a Mac.
 */

export type ShortcutId = "newChat" | "focusSearch" | "toggleSidebar" | "stop" | "editLast" | "focusComposer" | "copyLast" | "help";

export interface Shortcut {
  id: ShortcutId;
  /** Keys as shown, "mod" first; each alternative is one array. */
  keys: string[][];
  /** Only where the page has a chat. */
  chat?: boolean;
}

export const SHORTCUTS: Shortcut[] = [
  { id: "newChat", keys: [["mod", "Shift", "O"]] },
  { id: "focusSearch", keys: [["mod", "K"]], chat: true },
  { id: "toggleSidebar", keys: [["mod", "Shift", "S"]], chat: true },
  { id: "focusComposer", keys: [["Shift", "Esc"]], chat: true },
  { id: "stop", keys: [["Esc"]], chat: true },
  { id: "editLast", keys: [["↑"]], chat: true },
  { id: "copyLast", keys: [["mod", "Shift", "C"]], chat: true },
  { id: "help", keys: [["?"], ["mod", "/"]] },
];

/** KeyInput is the part of a KeyboardEvent the matcher reads. */
export interface KeyInput {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** The event's target is a text field (input, textarea, contenteditable). */
  inField: boolean;
  /** The target is the message box and it is empty. */
  inEmptyComposer?: boolean;
}

/**
 * matchShortcut says which shortcut a key press is, if any. Letters are read
 * by their physical key (code), so they work on any keyboard layout; "?"
 * only counts outside text fields, where it would type a question mark.
 * ↑ means "edit the last message" only in the empty message box.
 */
export function matchShortcut(e: KeyInput, mac: boolean): ShortcutId | null {
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  const letter = e.code?.startsWith("Key") ? e.code.slice(3) : e.key.length === 1 ? e.key.toUpperCase() : "";
  if (e.altKey) return null;
  if (mod && e.shiftKey) {
    if (letter === "O") return "newChat";
    if (letter === "S") return "toggleSidebar";
    if (letter === "C") return "copyLast";
  }
  if (mod && !e.shiftKey && letter === "K") return "focusSearch";
  if (mod && (e.key === "/" || e.code === "Slash")) return "help";
  if (!mod && !e.ctrlKey && !e.metaKey) {
    if (e.key === "Escape") return e.shiftKey ? "focusComposer" : "stop";
    if (e.key === "?" && !e.inField) return "help";
    if (e.key === "ArrowUp" && !e.shiftKey && e.inEmptyComposer) return "editLast";
  }
  return null;
}

/** isMac tells whether "mod" is ⌘ on this device. */
export function isMac(): boolean {
  if (typeof navigator === "undefined") return false;
  const p = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform ?? navigator.platform ?? "";
  return /mac|iphone|ipad/i.test(p);
}

/** The event that carries a shortcut to whichever part of the page handles it (the chat, the help sheet). */
export const SHORTCUT_EVENT = "parley:shortcut";

/** fireShortcut runs a shortcut as if its keys were pressed (menus and buttons use it). */
export function fireShortcut(id: ShortcutId): void {
  window.dispatchEvent(new CustomEvent<ShortcutId>(SHORTCUT_EVENT, { detail: id }));
}

/** openShortcutHelp shows the help sheet. */
export function openShortcutHelp(): void {
  fireShortcut("help");
}

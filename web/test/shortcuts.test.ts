import { describe, expect, it } from "vitest";
import { matchShortcut, SHORTCUTS, type KeyInput } from "@/lib/shortcuts";

const key = (k: Partial<KeyInput>): KeyInput => ({ key: "", ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, inField: false, ...k });

describe("matchShortcut", () => {
  it("reads Ctrl on Linux and Windows, ⌘ on a Mac", () => {
    expect(matchShortcut(key({ key: "O", code: "KeyO", ctrlKey: true, shiftKey: true }), false)).toBe("newChat");
    expect(matchShortcut(key({ key: "O", code: "KeyO", ctrlKey: true, shiftKey: true }), true)).toBeNull();
    expect(matchShortcut(key({ key: "o", code: "KeyO", metaKey: true, shiftKey: true }), true)).toBe("newChat");
    expect(matchShortcut(key({ key: "k", code: "KeyK", ctrlKey: true }), false)).toBe("focusSearch");
    expect(matchShortcut(key({ key: "S", code: "KeyS", ctrlKey: true, shiftKey: true }), false)).toBe("toggleSidebar");
  });
  it("goes by the physical key, whatever the layout types", () => {
    // On a Russian layout Ctrl+Shift+O types "Щ".
    expect(matchShortcut(key({ key: "Щ", code: "KeyO", ctrlKey: true, shiftKey: true }), false)).toBe("newChat");
  });
  it("keeps ? for typing in text fields, and Ctrl+/ works everywhere", () => {
    expect(matchShortcut(key({ key: "?", shiftKey: true }), false)).toBe("help");
    expect(matchShortcut(key({ key: "?", shiftKey: true, inField: true }), false)).toBeNull();
    expect(matchShortcut(key({ key: "/", code: "Slash", ctrlKey: true, inField: true }), false)).toBe("help");
  });
  it("stops with Esc, focuses the message box with Shift+Esc, edits with ↑ only in the empty box", () => {
    expect(matchShortcut(key({ key: "Escape" }), false)).toBe("stop");
    expect(matchShortcut(key({ key: "Escape", shiftKey: true }), false)).toBe("focusComposer");
    expect(matchShortcut(key({ key: "ArrowUp", inField: true, inEmptyComposer: true }), false)).toBe("editLast");
    expect(matchShortcut(key({ key: "ArrowUp", inField: true, inEmptyComposer: false }), false)).toBeNull();
  });
  it("ignores plain typing and Alt combinations", () => {
    expect(matchShortcut(key({ key: "o", code: "KeyO" }), false)).toBeNull();
    expect(matchShortcut(key({ key: "k", code: "KeyK", ctrlKey: true, altKey: true }), false)).toBeNull();
  });
  it("lists every shortcut once", () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
  });
});

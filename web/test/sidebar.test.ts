import { describe, expect, it } from "vitest";
import { sidebarSections } from "@/lib/conversation-groups";
import { parseSnippet, unescapeHTML } from "@/lib/snippet";
import type { Conversation, Folder } from "@/lib/types";

describe("parseSnippet", () => {
  it("splits on <mark> and unescapes the text, so markup in a message stays text", () => {
    expect(parseSnippet("say &lt;img src=x onerror=alert(1)&gt; <mark>zebra</mark> &amp; more")).toEqual([
      { text: "say <img src=x onerror=alert(1)> ", mark: false },
      { text: "zebra", mark: true },
      { text: " & more", mark: false },
    ]);
  });
  it("keeps tags other than <mark> (and an unclosed one) as text", () => {
    expect(parseSnippet("<b>x</b> <mark>y")).toEqual([{ text: "<b>x</b> <mark>y", mark: false }]);
    expect(parseSnippet("<mark>a</mark><mark>b</mark>")).toEqual([{ text: "ab", mark: true }]);
    expect(parseSnippet("")).toEqual([]);
  });
  it("reads numeric references and leaves unknown or invalid ones", () => {
    expect(unescapeHTML("&#39;&#x27;&#34;&quot;&bogus;&#0;&#xD800;")).toBe(`''""&bogus;&#0;&#xD800;`);
  });
});

describe("sidebarSections", () => {
  const at = new Date(2026, 10, 25, 9).toISOString();
  const conv = (id: string, more: Partial<Conversation> = {}): Conversation => ({ id, title: id, model: "m", created_at: at, updated_at: at, ...more });
  const folder = (id: string): Folder => ({ id, name: id, created_at: at, updated_at: at });
  it("puts pinned first, then each folder (empty ones too), then the rest by date; a lost folder counts as none", () => {
    const s = sidebarSections(
      [conv("p", { pinned: true, folder_id: "f1" }), conv("a", { folder_id: "f1" }), conv("b"), conv("c", { folder_id: "gone" }), conv("x", { archived: true })],
      [folder("f1"), folder("f2")],
      new Date(2026, 10, 25, 10),
    );
    expect(s.pinned.map((c) => c.id)).toEqual(["p"]);
    expect(s.folders.map((f) => [f.folder.id, f.items.map((c) => c.id)])).toEqual([
      ["f1", ["a"]],
      ["f2", []],
    ]);
    expect(s.dated.map((g) => [g.key, g.items.map((c) => c.id)])).toEqual([["today", ["b", "c"]]]);
  });
});

import { describe, expect, it } from "vitest";
import { groupConversations, groupOf } from "@/lib/conversation-groups";
import { StreamClock } from "@/lib/stream-stats";
import type { Conversation } from "@/lib/types";

const conv = (id: string, at: Date): Conversation => ({ id, title: id, model: "m", created_at: at.toISOString(), updated_at: at.toISOString() });

describe("groupConversations", () => {
  const now = new Date(2026, 10, 25, 9, 30); // local time
  it("sorts by calendar day in the browser's time zone, not by 24-hour spans", () => {
    expect(groupOf(new Date(2026, 10, 25, 0, 5), now)).toBe("today");
    expect(groupOf(new Date(2026, 10, 24, 23, 59), now)).toBe("yesterday");
    expect(groupOf(new Date(2026, 10, 18, 12), now)).toBe("previous7");
    expect(groupOf(new Date(2026, 10, 17, 12), now)).toBe("previous30");
    expect(groupOf(new Date(2026, 9, 1), now)).toBe("older");
    expect(groupOf(new Date(2026, 10, 26), now)).toBe("today"); // a clock a little ahead
  });
  it("keeps the list's order inside each section and leaves out empty sections", () => {
    const items = [conv("a", new Date(2026, 10, 25, 9)), conv("b", new Date(2026, 10, 25, 8)), conv("c", new Date(2026, 8, 1))];
    expect(groupConversations(items, now).map((g) => [g.key, g.items.map((c) => c.id)])).toEqual([
      ["today", ["a", "b"]],
      ["older", ["c"]],
    ]);
  });
});

describe("StreamClock", () => {
  it("measures time to first token from sending and the rate over the streamed part", () => {
    const c = new StreamClock(1000);
    c.text(1150);
    c.text(1200);
    const s = c.done(3150, { prompt_tokens: 12, completion_tokens: 81 });
    expect(s.ttftMs).toBe(150);
    expect(s.tokensPerSecond).toBeCloseTo(40); // 80 tokens after the first, in 2 s
    expect(s).toMatchObject({ promptTokens: 12, completionTokens: 81, totalMs: 2150 });
  });
  it("gives no rate for an answer of one chunk or without text", () => {
    const one = new StreamClock(0);
    one.text(100);
    expect(one.done(100, { completion_tokens: 5 }).tokensPerSecond).toBeNull();
    expect(new StreamClock(0).done(50, undefined)).toMatchObject({ ttftMs: null, tokensPerSecond: null, completionTokens: 0 });
  });
});

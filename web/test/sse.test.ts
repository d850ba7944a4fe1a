import { describe, expect, it } from "vitest";
import { readSSE, SSEParser } from "@/lib/sse";

describe("SSEParser", () => {
  it("assembles events split at any byte", () => {
    const text = 'event: start\ndata: {"a":1}\n\nevent: delta\ndata: {"content":"hi"}\n\n: keep-alive\n\nevent: done\ndata: {}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SSEParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got.map((e) => `${e.event}:${e.data}`), `cut at ${cut}`).toEqual(['start:{"a":1}', 'delta:{"content":"hi"}', "done:{}"]);
    }
  });

  it("handles CRLF line ends, multi-line data and the default event name", () => {
    const p = new SSEParser();
    expect(p.push("data: one\r\ndata: two\r\n\r")).toEqual([]);
    expect(p.push("\n")).toEqual([{ event: "message", data: "one\ntwo", id: undefined }]);
  });
});

describe("readSSE", () => {
  it("yields each event as soon as its bytes arrive", async () => {
    const enc = new TextEncoder();
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
    const it = readSSE(body);
    ctl.enqueue(enc.encode('event: delta\ndata: {"content":"first"}\n\n'));
    // The stream is still open: the first event must be readable already.
    const first = await it.next();
    expect(first.value).toMatchObject({ event: "delta", data: '{"content":"first"}' });
    ctl.enqueue(enc.encode("event: done\ndata: {}"));
    ctl.close();
    expect((await it.next()).value).toMatchObject({ event: "done" });
    expect((await it.next()).done).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_NEXT, safeNext } from "@/lib/safe-next";

/** HOSTILE are `next` values that would leave the origin (or could, through a decoding server); web/e2e/next.test.mjs signs in with them in Chromium. */
const HOSTILE = [
  "//evil.example/",
  "/\\evil.example/",
  "\\\\evil.example/",
  "/\t/evil.example/",
  "/\n/evil.example/",
  "/\r\n/evil.example/",
  "/%2F/evil.example/",
  "/%2f%2fevil.example/",
  "/%5C/evil.example/",
  "/%5cevil.example/",
  "%2F%2Fevil.example/",
  "/%09/evil.example/",
  "javascript:alert(1)",
  "JavaScript:alert(document.domain)",
  "https://evil.example/",
  "http:evil.example",
  "evil.example/chat",
  "//user:pass@evil.example/",
  "/\u0000/evil.example/",
  "",
];

describe("safeNext", () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))("refuses %s", (_n, v) => {
    expect(safeNext(v)).toBe(DEFAULT_NEXT);
  });

  it.each([
    ["/chat", "/chat"],
    ["/settings", "/settings"],
    ["/chat/0b7c3e1a-2f4d-4c1e-9d7a-5b6e8f9a0c1d", "/chat/0b7c3e1a-2f4d-4c1e-9d7a-5b6e8f9a0c1d"],
    ["/admin/users?page=2", "/admin/users?page=2"],
    ["/chat#composer", "/chat#composer"],
    ["/", "/"],
  ])("keeps the same-origin path %s", (v, want) => {
    expect(safeNext(v)).toBe(want);
  });

  it("falls back to the caller's default when next is missing", () => {
    expect(safeNext(null, "/settings")).toBe("/settings");
    expect(safeNext(undefined)).toBe(DEFAULT_NEXT);
  });
});

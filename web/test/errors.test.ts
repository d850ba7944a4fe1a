import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isProblemCode, PROBLEM_CODES, problemResponse } from "@/lib/errors";

describe("problem codes", () => {
  it("mirror the list in docs/ARCHITECTURE.md, code for code and status for status", () => {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "ARCHITECTURE.md"), "utf8");
    const list = /Codes: ([^.]+)\./.exec(doc.replace(/\s+/g, " "))?.[1] ?? "";
    const documented = Object.fromEntries([...list.matchAll(/([a-z_]+)\((\d{3})/g)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(documented).length).toBeGreaterThan(10);
    expect(documented).toEqual({ ...PROBLEM_CODES });
  });
  it("tells a known code from any other string", () => {
    expect(isProblemCode("rate_limited")).toBe(true);
    expect(isProblemCode("toString")).toBe(false);
    expect(isProblemCode("teapot")).toBe(false);
  });
  it("answers in the API's problem+json shape", async () => {
    const r = problemResponse(413, "too_large", "Request body too large");
    expect(r.status).toBe(413);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(await r.json()).toEqual({ type: "https://parley.dev/problems/too_large", title: "Request body too large", status: 413, code: "too_large", detail: "Request body too large" });
  });
});

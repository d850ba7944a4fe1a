import { describe, expect, it } from "vitest";
import { describeProblem } from "@/lib/problems";

describe("describeProblem", () => {
  const now = new Date("2026-11-25T10:00:00Z");
  it("says when to retry a rate-limited request", () => {
    const s = describeProblem({ code: "rate_limited", status: 429, retry_after: 12 }, now);
    expect(s).toMatch(/^Rate limited: too many requests\. Try again in 12 seconds \(at .+\)\.$/);
    expect(s).toContain(new Date("2026-11-25T10:00:12Z").toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
  });
  it("says when a used-up quota resets", () => {
    const s = describeProblem({ code: "quota_exceeded", status: 429 }, now, "2026-11-26T00:00:00Z");
    expect(s).toBe(`Your daily token quota is used up. It resets at ${new Date("2026-11-26T00:00:00Z").toLocaleString()}.`);
  });
  it("lists field errors", () => {
    expect(describeProblem({ code: "validation", errors: [{ field: "email", message: "is taken" }] })).toBe("email: is taken");
  });
  it("falls back to the detail", () => {
    expect(describeProblem({ code: "conflict", detail: "already exists" })).toBe("already exists");
  });
});

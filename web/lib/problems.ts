/** Human wording for the API's problem+json answers. */
import type { Problem } from "./types";

function clock(d: Date): string {
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/**
 * describeProblem tells a person what went wrong and, for limits, when they
 * may try again: retry_after seconds for rate limits, the quota's reset time
 * (resetsAt, from GET /usage) for a used-up daily quota.
 */
export function describeProblem(p: Problem | null | undefined, now: Date = new Date(), resetsAt?: string): string {
  if (!p) return "Something went wrong. Please try again.";
  const code = p.code ?? "";
  if (code === "rate_limited") {
    const s = Math.max(1, Math.ceil(p.retry_after ?? 1));
    return `Rate limited: too many requests. Try again in ${s} second${s === 1 ? "" : "s"} (at ${clock(new Date(now.getTime() + s * 1000))}).`;
  }
  if (code === "quota_exceeded") {
    if (resetsAt) return `Your daily token quota is used up. It resets at ${new Date(resetsAt).toLocaleString()}.`;
    if (p.retry_after) {
      return `Your daily token quota is used up. It resets at ${new Date(now.getTime() + p.retry_after * 1000).toLocaleString()}.`;
    }
    return "Your daily token quota is used up. It resets at midnight UTC.";
  }
  if (code === "unavailable" && p.retry_after) {
    return `The service is busy. Try again in ${Math.ceil(p.retry_after)} seconds.`;
  }
  if (code === "validation" && p.errors?.length) {
    return p.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  }
  if (code === "unauthorized") return p.detail || "Your session has ended. Please sign in again.";
  if (code === "upstream") return "The model provider failed to answer. Please try again.";
  return p.detail || p.title || "Something went wrong. Please try again.";
}

/**
 * Human wording for the API's problem+json answers, in the user's language:
 * the words come from messages/<locale>.json ("problems"), through next-intl
 * in the browser (lib/problems-client.ts), in English by default (lib/problems.ts).
 */
import type { Problem } from "./types";

/** ProblemWords translates a key of the "problems" messages with its values. */
export type ProblemWords = (key: string, values?: Record<string, string | number>) => string;

function clock(d: Date, locale?: string): string {
  return d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/**
 * describeProblem tells a person what went wrong and, for limits, when they
 * may try again: retry_after seconds for rate limits, the quota's reset time
 * (resetsAt, from GET /usage) for a used-up daily quota. locale formats the
 * times (undefined: the runtime's default).
 */
export function describeProblemIn(
  p: Problem | null | undefined,
  now: Date = new Date(),
  resetsAt: string | undefined,
  words: { t: ProblemWords; locale?: string },
): string {
  const { t, locale } = words;
  if (!p) return t("generic");
  const code = p.code;
  if (code === "rate_limited") {
    const s = Math.max(1, Math.ceil(p.retry_after ?? 1));
    return t("rateLimited", { seconds: s, time: clock(new Date(now.getTime() + s * 1000), locale) });
  }
  if (code === "quota_exceeded") {
    if (resetsAt) return t("quotaResetsAt", { time: new Date(resetsAt).toLocaleString(locale) });
    if (p.retry_after) return t("quotaResetsAt", { time: new Date(now.getTime() + p.retry_after * 1000).toLocaleString(locale) });
    return t("quotaMidnight");
  }
  if (code === "unavailable" && p.retry_after) return t("busy", { seconds: Math.ceil(p.retry_after) });
  if (code === "validation" && p.errors?.length) return p.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  if (code === "unauthorized") return p.detail || t("sessionEnded");
  if (code === "upstream") return t("upstream");
  return p.detail || p.title || t("generic");
}

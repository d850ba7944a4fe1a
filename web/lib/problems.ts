/** describeProblem in English, for code without a page language (server code, tests); see lib/describe-problem.ts. */
import { createTranslator } from "next-intl";
import en from "@/messages/en.json";
import { describeProblemIn, type ProblemWords } from "./describe-problem";
import type { Problem } from "./types";

const english = createTranslator({ locale: "en", messages: en, namespace: "problems" }) as unknown as ProblemWords;

/** describeProblem words a problem in English; times in the runtime's default locale. */
export function describeProblem(p: Problem | null | undefined, now: Date = new Date(), resetsAt?: string): string {
  return describeProblemIn(p, now, resetsAt, { t: english });
}

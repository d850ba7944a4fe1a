"use client";
/** describeProblemIn (lib/describe-problem.ts) bound to the page's language. */
import { useLocale, useTranslations } from "next-intl";
import { useCallback } from "react";
import { describeProblemIn, type ProblemWords } from "./describe-problem";
import type { Problem } from "./types";

/** useDescribeProblem returns describeProblem in the user's language. */
export function useDescribeProblem(): (p: Problem | null | undefined, resetsAt?: string) => string {
  const t = useTranslations("problems") as unknown as ProblemWords;
  const locale = useLocale();
  return useCallback((p, resetsAt) => describeProblemIn(p, new Date(), resetsAt, { t, locale }), [t, locale]);
}

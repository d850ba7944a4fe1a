import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

const badgeVariants = cva("inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium", {
  variants: {
    tone: {
      neutral: "border-border bg-surface text-foreground",
      ok: "border-ok/40 bg-ok-soft text-ok",
      warn: "border-warn/40 bg-warn-soft text-warn",
      danger: "border-danger/40 bg-danger-soft text-danger",
    },
  },
  defaultVariants: { tone: "neutral" },
});

/** toneOf maps the API's states (operational, active, degraded, …) to a badge tone. */
export function toneOf(state: string): "ok" | "warn" | "danger" | "neutral" {
  if (state === "operational" || state === "active") return "ok";
  if (state === "degraded" || state === "cooling") return "warn";
  if (state === "outage" || state === "dead") return "danger";
  return "neutral";
}

/** Badge is a small coloured label, e.g. a state. */
export function Badge({ className, tone, ...props }: ComponentProps<"span"> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ tone }), className)} {...props} />;
}

import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** Card is a bordered panel for one section of a page. */
export function Card({ className, ...props }: ComponentProps<"section">) {
  return <section className={cn("rounded-xl border border-border bg-background p-5 shadow-soft sm:p-6", className)} {...props} />;
}

/** CardTitle is a card's heading. */
export function CardTitle({ className, ...props }: ComponentProps<"h2">) {
  return <h2 className={cn("text-base font-semibold tracking-tight", className)} {...props} />;
}

/** CardDescription says what a card is for. */
export function CardDescription({ className, ...props }: ComponentProps<"p">) {
  return <p className={cn("mt-1 text-sm text-muted-foreground", className)} {...props} />;
}

import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

const alertVariants = cva("rounded-lg border px-3.5 py-2.5 text-sm", {
  variants: {
    tone: {
      danger: "border-danger/40 bg-danger-soft text-danger",
      warn: "border-warn/40 bg-warn-soft text-foreground",
      ok: "border-ok/40 bg-ok-soft text-ok",
      info: "border-border bg-surface text-foreground",
    },
  },
  defaultVariants: { tone: "info" },
});

/** Alert is a message box: an error, a warning, a confirmation. Give it role="alert" or "status" where it appears after an action. */
export function Alert({ className, tone, ...props }: ComponentProps<"div"> & VariantProps<typeof alertVariants>) {
  return <div className={cn(alertVariants({ tone }), className)} {...props} />;
}

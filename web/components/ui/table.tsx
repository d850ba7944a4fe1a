import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** Table is a data table that scrolls sideways inside its own box on narrow screens (focusable, so the keyboard can scroll it too). */
export function Table({ className, ...props }: ComponentProps<"table">) {
  return (
    <div className="w-full overflow-x-auto rounded-lg border border-border" tabIndex={0}>
      <table className={cn("w-full border-collapse text-sm", className)} {...props} />
    </div>
  );
}
export function Th({ className, ...props }: ComponentProps<"th">) {
  return <th className={cn("border-b border-border bg-surface px-3 py-2 text-start text-xs font-semibold text-muted-foreground", className)} {...props} />;
}
export function Td({ className, ...props }: ComponentProps<"td">) {
  return <td className={cn("border-b border-border px-3 py-2 align-middle [tr:last-child>&]:border-b-0", className)} {...props} />;
}

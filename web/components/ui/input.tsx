import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

const field =
  "w-full min-w-0 rounded-lg border border-input bg-background px-3 text-sm text-foreground placeholder:text-muted-foreground transition-colors focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring disabled:opacity-50 aria-[invalid=true]:border-danger";

/** Input is a text field in the app's look. */
export function Input({ className, ...props }: ComponentProps<"input">) {
  return <input className={cn(field, "h-9 py-1", className)} {...props} />;
}

/** Textarea is a multi-line field in the app's look. */
export function Textarea({ className, ...props }: ComponentProps<"textarea">) {
  return <textarea className={cn(field, "py-2", className)} {...props} />;
}

/** NativeSelect is a <select> in the app's look: native, so it works with every keyboard, screen reader and phone picker. */
export function NativeSelect({ className, ...props }: ComponentProps<"select">) {
  return <select className={cn(field, "h-9 cursor-pointer py-1 pe-8", className)} {...props} />;
}

/** Label names a field. */
export function Label({ className, ...props }: ComponentProps<"label">) {
  return <label className={cn("mb-1.5 block text-sm font-medium text-foreground", className)} {...props} />;
}

/** Field groups a label, its control and its message. */
export function Field({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("space-y-1", className)} {...props} />;
}

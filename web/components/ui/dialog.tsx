"use client";
/**
 * Dialogs and sheets on Radix Dialog: focus trapped inside while open,
 * Escape closes, focus returns to what opened it, the page behind is inert.
 */
import * as D from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

export const Dialog = D.Root;
export const DialogTrigger = D.Trigger;
export const DialogClose = D.Close;

function Overlay() {
  return <D.Overlay className="fixed inset-0 z-40 bg-black/50 backdrop-blur-[1px] data-[state=open]:animate-[fade-in_150ms]" />;
}

/** DialogContent is a centred modal panel with a title (required by screen readers) and a close button. */
export function DialogContent({
  className,
  children,
  title,
  description,
  closeLabel,
  ...props
}: ComponentProps<typeof D.Content> & { title: React.ReactNode; description?: React.ReactNode; closeLabel: string }) {
  return (
    <D.Portal>
      <Overlay />
      <D.Content
        className={cn(
          "fixed start-1/2 top-1/2 z-50 max-h-[85dvh] w-[calc(100%-2rem)] max-w-lg -translate-y-1/2 overflow-y-auto rounded-xl border border-border bg-background p-6 shadow-xl ltr:-translate-x-1/2 rtl:translate-x-1/2 data-[state=open]:animate-[pop-in_150ms]",
          className,
        )}
        {...props}
        aria-describedby={description ? undefined : props["aria-describedby"]}
      >
        <D.Title className="pe-8 text-lg font-semibold tracking-tight">{title}</D.Title>
        {description ? <D.Description className="mt-1 text-sm text-muted-foreground">{description}</D.Description> : null}
        <div className="mt-4">{children}</div>
        <D.Close className="absolute end-3 top-3 inline-flex size-8 items-center justify-center rounded-md text-muted-foreground hover:bg-surface-2 hover:text-foreground" aria-label={closeLabel}>
          <X className="size-4" aria-hidden />
        </D.Close>
      </D.Content>
    </D.Portal>
  );
}

/** SheetContent is a panel that slides in from the start edge (the left, or the right in a right-to-left language). */
export function SheetContent({ className, children, title, ...props }: ComponentProps<typeof D.Content> & { title: string }) {
  return (
    <D.Portal>
      <Overlay />
      <D.Content
        aria-describedby={undefined}
        className={cn(
          "fixed inset-y-0 start-0 z-50 flex w-[85%] max-w-xs flex-col border-e border-border bg-surface shadow-xl data-[state=open]:animate-[sheet-in_180ms]",
          className,
        )}
        {...props}
      >
        <D.Title className="sr-only">{title}</D.Title>
        {children}
      </D.Content>
    </D.Portal>
  );
}

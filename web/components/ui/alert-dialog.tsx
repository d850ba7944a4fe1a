"use client";
/** A confirmation dialog on Radix AlertDialog: the safe choice has the focus, Escape cancels. */
import * as A from "@radix-ui/react-alert-dialog";
import { buttonVariants } from "./button";

/** ConfirmDialog asks before a destructive action; onConfirm runs when the user confirms. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  cancelLabel,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
}) {
  return (
    <A.Root open={open} onOpenChange={onOpenChange}>
      <A.Portal>
        <A.Overlay className="fixed inset-0 z-40 bg-black/50 data-[state=open]:animate-[fade-in_150ms]" />
        <A.Content className="fixed start-1/2 top-1/2 z-50 w-[calc(100%-2rem)] max-w-md -translate-y-1/2 rounded-xl border border-border bg-background p-6 shadow-xl ltr:-translate-x-1/2 rtl:translate-x-1/2 data-[state=open]:animate-[pop-in_150ms]">
          <A.Title className="text-lg font-semibold tracking-tight">{title}</A.Title>
          <A.Description className="mt-2 text-sm text-muted-foreground">{description}</A.Description>
          <div className="mt-6 flex justify-end gap-2">
            <A.Cancel className={buttonVariants({ variant: "outline" })}>{cancelLabel}</A.Cancel>
            <A.Action className={buttonVariants({ variant: "danger" })} onClick={onConfirm}>
              {confirmLabel}
            </A.Action>
          </div>
        </A.Content>
      </A.Portal>
    </A.Root>
  );
}

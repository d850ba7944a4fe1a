"use client";
import { usePathname, useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Fragment, useEffect, useState } from "react";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Kbd } from "@/components/ui/kbd";
import { fireShortcut, isMac, matchShortcut, SHORTCUT_EVENT, SHORTCUTS, type ShortcutId } from "@/lib/shortcuts";

function inTextField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

/**
 * KeyboardShortcuts listens for the shortcuts of lib/shortcuts.ts on every
 * signed-in page and passes each on as a SHORTCUT_EVENT (the chat acts on
 * its own); it shows the help sheet itself, and opens a new chat from pages
 * that have none.
 */
export default function KeyboardShortcuts() {
  const t = useTranslations("shortcuts");
  const [open, setOpen] = useState(false);
  const [mac, setMac] = useState(false);
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    const m = isMac();
    const t0 = setTimeout(() => setMac(m), 0);
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const target = e.target as HTMLElement | null;
      const id = matchShortcut(
        {
          key: e.key,
          code: e.code,
          ctrlKey: e.ctrlKey,
          metaKey: e.metaKey,
          shiftKey: e.shiftKey,
          altKey: e.altKey,
          inField: inTextField(target),
          inEmptyComposer: target?.id === "prompt" && (target as HTMLTextAreaElement).value === "",
        },
        m,
      );
      if (!id) return;
      // Escape belongs to an open dialog or menu first.
      if (id === "stop" && document.querySelector('[role="dialog"],[role="alertdialog"],[role="menu"]')) return;
      if (id !== "stop" && id !== "editLast") e.preventDefault();
      fireShortcut(id);
    };
    const onShortcut = (e: Event) => {
      const id = (e as CustomEvent<ShortcutId>).detail;
      if (id === "help") setOpen(true);
      else if (id === "newChat" && !pathname.startsWith("/chat")) router.push("/chat");
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener(SHORTCUT_EVENT, onShortcut);
    return () => {
      clearTimeout(t0);
      window.removeEventListener("keydown", onKey);
      window.removeEventListener(SHORTCUT_EVENT, onShortcut);
    };
  }, [pathname, router]);

  const label = (k: string) => (k === "mod" ? (mac ? "⌘" : "Ctrl") : k);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogContent title={t("title")} description={t("lead")} closeLabel={t("close")}>
        <ul className="divide-y divide-border" data-testid="shortcut-list">
          {SHORTCUTS.map((s) => (
            <li key={s.id} className="flex items-center justify-between gap-4 py-2.5 text-sm">
              <span>{t(s.id)}</span>
              <span className="flex shrink-0 items-center gap-1" dir="ltr">
                {s.keys.map((combo, i) => (
                  <Fragment key={i}>
                    {i > 0 && <span className="px-1 text-xs text-muted-foreground">{t("or")}</span>}
                    {combo.map((k) => (
                      <Kbd key={k}>{label(k)}</Kbd>
                    ))}
                  </Fragment>
                ))}
              </span>
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
  );
}

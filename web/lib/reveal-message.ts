"use client";
/**
 * revealMessage brings a message of the open conversation into view and marks
 * it (data-search-hit, styled in globals.css) once the chat has rendered it:
 * a search hit opens its conversation first, whose messages arrive later.
 * The mark stays until the next click or key press; a newer reveal replaces
 * an older one. It gives up after `ms` if the message never shows (a branch
 * not on screen).
 */
let cancelLast: (() => void) | null = null;

export function revealMessage(messageId: string, ms = 10_000): void {
  cancelLast?.();
  const sel = `[data-message-id="${CSS.escape(messageId)}"]`;
  let el: HTMLElement | null = null;
  const clear = () => {
    el?.removeAttribute("data-search-hit");
    document.removeEventListener("pointerdown", clear, true);
    document.removeEventListener("keydown", clear, true);
  };
  const found = (e: HTMLElement) => {
    el = e;
    e.setAttribute("data-search-hit", "true");
    // After the chat's own scroll to the end of the freshly loaded list.
    requestAnimationFrame(() => requestAnimationFrame(() => e.scrollIntoView({ block: "center" })));
    document.addEventListener("pointerdown", clear, true);
    document.addEventListener("keydown", clear, true);
  };
  const now = document.querySelector<HTMLElement>(sel);
  if (now) {
    found(now);
    cancelLast = clear;
    return;
  }
  const obs = new MutationObserver(() => {
    const e = document.querySelector<HTMLElement>(sel);
    if (e) {
      stop();
      found(e);
    }
  });
  const timer = setTimeout(() => stop(), ms);
  const stop = () => {
    obs.disconnect();
    clearTimeout(timer);
  };
  obs.observe(document.body, { childList: true, subtree: true });
  cancelLast = () => {
    stop();
    clear();
  };
}

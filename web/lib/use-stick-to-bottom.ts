"use client";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

/** How close to the end (px) still counts as "at the bottom". */
const SLACK = 48;

/**
 * useStickToBottom keeps a scrolling box at its end while its content grows
 * (a streaming answer), until the user scrolls up: then it stays where they
 * are and atBottom turns false (the page shows a "scroll to bottom" button).
 * Scrolling back down, or toBottom(), sticks again.
 */
export function useStickToBottom<T extends HTMLElement>(content: unknown) {
  const ref = useRef<T>(null);
  const stick = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      const b = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK;
      stick.current = b;
      setAtBottom(b);
    };
    // A wheel or touch upwards unsticks at once, before the next chunk of text can pull the view back.
    const onWheel = (e: WheelEvent) => {
      if (e.deltaY < 0) stick.current = false;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    el.addEventListener("wheel", onWheel, { passive: true });
    return () => {
      el.removeEventListener("scroll", onScroll);
      el.removeEventListener("wheel", onWheel);
    };
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [content]);

  const toBottom = useCallback((smooth = true) => {
    const el = ref.current;
    stick.current = true;
    setAtBottom(true);
    el?.scrollTo({ top: el.scrollHeight, behavior: smooth ? "smooth" : "auto" });
  }, []);

  return { ref, atBottom, toBottom };
}

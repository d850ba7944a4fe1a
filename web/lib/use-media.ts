"use client";
import { useSyncExternalStore } from "react";

/** useMedia tells whether a media query matches, following changes; on the server (and first render) it is `server`. */
export function useMedia(query: string, server: boolean): boolean {
  return useSyncExternalStore(
    (on) => {
      const m = window.matchMedia(query);
      m.addEventListener("change", on);
      return () => m.removeEventListener("change", on);
    },
    () => window.matchMedia(query).matches,
    () => server,
  );
}

"use client";
/** Browser side of the preferences (lib/prefs.ts): store a choice and apply it at once. */
import { PREF_COOKIES, PREF_MAX_AGE, themeClass, type Locale, type Theme } from "./prefs";

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

function writeCookie(name: string, value: string) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${PREF_MAX_AGE}; SameSite=Lax${secure}`;
}

/** saveTheme stores the theme and repaints the page with it, without a reload. */
export function saveTheme(theme: Theme): void {
  writeCookie(PREF_COOKIES.theme, theme);
  const root = document.documentElement;
  root.classList.remove("light", "dark");
  const c = themeClass(theme);
  if (c) root.classList.add(c);
}

/** saveLocale stores the language; the caller re-renders the page (router.refresh()) to get its words. */
export function saveLocale(locale: Locale): void {
  writeCookie(PREF_COOKIES.locale, locale);
  // The offline page is cached in the language it was fetched in: fetch it again.
  navigator.serviceWorker?.controller?.postMessage({ type: "refresh-offline" });
}

/**
 * syncTimeZone stores the browser's time zone so the server formats dates in
 * it; it returns true when it changed (the caller re-renders the page once).
 */
export function syncTimeZone(): boolean {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!tz || readCookie(PREF_COOKIES.timeZone) === tz) return false;
  writeCookie(PREF_COOKIES.timeZone, tz);
  return true;
}

/**
 * The user's display preferences: theme and language. This module is the one
 * place that knows how they are named, parsed and stored. Today they live in
 * two cookies readable by the server (so the first paint is right, with no
 * script and no flash); when the API stores them per user, only readPrefs
 * (lib/prefs-server.ts, with lib/negotiate.ts) and savePref (lib/prefs-client.ts) change.
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

/** LOCALES are the languages of the interface; the first is the fallback. */
export const LOCALES = ["en", "fr", "ar"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** LOCALE_NAMES are each language's own name, shown in the language picker. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", fr: "Français", ar: "العربية" };

const RTL = new Set<Locale>(["ar"]);

/** PREF_COOKIES are the cookies that hold the preferences (not secret: readable by the page). */
export const PREF_COOKIES = { theme: "parley_theme", locale: "parley_locale", timeZone: "parley_tz" } as const;

/** A preference is kept a year after it was last set. */
export const PREF_MAX_AGE = 365 * 24 * 3600;

export interface Prefs {
  theme: Theme;
  locale: Locale;
  /** The browser's IANA time zone (dates are formatted in it), "UTC" until the browser has told it. */
  timeZone: string;
}

export function parseTheme(v: string | null | undefined): Theme {
  return (THEMES as readonly string[]).includes(v ?? "") ? (v as Theme) : "system";
}

export function parseLocale(v: string | null | undefined): Locale | null {
  return (LOCALES as readonly string[]).includes(v ?? "") ? (v as Locale) : null;
}

/** parseTimeZone keeps a time zone the runtime knows (e.g. "Europe/Paris"), else null. */
export function parseTimeZone(v: string | null | undefined): string | null {
  if (!v || v.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** themeClass is the class of <html> for a theme: none for "system", which follows prefers-color-scheme in CSS. */
export function themeClass(theme: Theme): string | undefined {
  return theme === "system" ? undefined : theme;
}

/** dirOf is the writing direction of a language. */
export function dirOf(locale: Locale): "ltr" | "rtl" {
  return RTL.has(locale) ? "rtl" : "ltr";
}

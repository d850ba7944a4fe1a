/** Which preferences a request gets: the stored ones, else the language its browser asks for. */
import { match } from "@formatjs/intl-localematcher";
import Negotiator from "negotiator";
import { DEFAULT_LOCALE, LOCALES, parseLocale, parseTheme, parseTimeZone, PREF_COOKIES, type Locale, type Prefs } from "./prefs";

/** negotiateLocale picks the interface language from an Accept-Language header (RFC 9110 §12.5.4). */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  const asked = new Negotiator({ headers: { "accept-language": acceptLanguage ?? "" } }).languages().filter((l) => l !== "*");
  try {
    return match(asked, LOCALES as unknown as string[], DEFAULT_LOCALE) as Locale;
  } catch {
    return DEFAULT_LOCALE; // a malformed tag in the header
  }
}

/** resolvePrefs turns the stored values (or their absence) and the request's Accept-Language into preferences. */
export function resolvePrefs(get: (name: string) => string | undefined, acceptLanguage: string | null): Prefs {
  return {
    theme: parseTheme(get(PREF_COOKIES.theme)),
    locale: parseLocale(get(PREF_COOKIES.locale)) ?? negotiateLocale(acceptLanguage),
    timeZone: parseTimeZone(get(PREF_COOKIES.timeZone)) ?? "UTC",
  };
}

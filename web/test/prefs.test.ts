import { describe, expect, it } from "vitest";
import { negotiateLocale, resolvePrefs } from "@/lib/negotiate";
import { dirOf, parseTheme, themeClass } from "@/lib/prefs";

describe("preferences", () => {
  it("picks the interface language from Accept-Language, by preference order and region", () => {
    expect(negotiateLocale("ar-EG,ar;q=0.9,en;q=0.8")).toBe("ar");
    expect(negotiateLocale("de-DE,fr-CH;q=0.8,en;q=0.5")).toBe("fr");
    expect(negotiateLocale("en-GB;q=0.4,fr;q=0.9")).toBe("fr");
    expect(negotiateLocale("ja,zh")).toBe("en");
    expect(negotiateLocale("")).toBe("en");
    expect(negotiateLocale(null)).toBe("en");
    expect(negotiateLocale("not a language;;;q=x")).toBe("en");
  });
  it("prefers the stored choice to the browser's languages, and ignores stored nonsense", () => {
    const jar = (m: Record<string, string>) => (n: string) => m[n];
    expect(resolvePrefs(jar({ parley_locale: "fr", parley_theme: "dark", parley_tz: "Europe/Paris" }), "ar")).toEqual({ locale: "fr", theme: "dark", timeZone: "Europe/Paris" });
    expect(resolvePrefs(jar({ parley_locale: "xx", parley_theme: "neon", parley_tz: "Mars/Olympus" }), "ar")).toEqual({ locale: "ar", theme: "system", timeZone: "UTC" });
    expect(resolvePrefs(jar({}), null)).toEqual({ locale: "en", theme: "system", timeZone: "UTC" });
  });
  it("maps a theme to the class of <html> and a language to its direction", () => {
    expect(themeClass("system")).toBeUndefined();
    expect(themeClass(parseTheme("dark"))).toBe("dark");
    expect(themeClass(parseTheme("light"))).toBe("light");
    expect(dirOf("ar")).toBe("rtl");
    expect(dirOf("fr")).toBe("ltr");
  });
});

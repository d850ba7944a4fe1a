"use client";
import { Monitor, Moon, Sun } from "lucide-react";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useState, useTransition } from "react";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { Label, NativeSelect } from "@/components/ui/input";
import { LOCALE_NAMES, LOCALES, parseLocale, parseTheme, type Theme } from "@/lib/prefs";
import { saveLocale, saveTheme } from "@/lib/prefs-client";
import { cn } from "@/lib/utils";

const ICONS = { system: Monitor, light: Sun, dark: Moon } as const;

/** Preferences picks the theme (system, light, dark) and the language of the interface. */
export default function Preferences({ theme: initial }: { theme: Theme }) {
  const t = useTranslations("settings");
  const locale = useLocale();
  const router = useRouter();
  const [theme, setTheme] = useState<Theme>(initial);
  const [pending, start] = useTransition();
  return (
    <Card aria-labelledby="prefs-h">
      <CardTitle id="prefs-h">{t("prefsTitle")}</CardTitle>
      <CardDescription>{t("prefsLead")}</CardDescription>
      <fieldset className="mt-5">
        <legend className="mb-2 text-sm font-medium">{t("theme")}</legend>
        <div className="grid grid-cols-3 gap-2 sm:max-w-md">
          {(["system", "light", "dark"] as const).map((v) => {
            const Icon = ICONS[v];
            return (
              <label
                key={v}
                className={cn(
                  "flex cursor-pointer flex-col items-center gap-1.5 rounded-lg border px-3 py-3 text-sm transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                  theme === v ? "border-foreground bg-surface font-medium" : "border-border hover:bg-surface",
                )}
              >
                <input
                  type="radio"
                  name="theme"
                  value={v}
                  checked={theme === v}
                  className="sr-only"
                  onChange={() => {
                    const th = parseTheme(v);
                    saveTheme(th);
                    setTheme(th);
                  }}
                />
                <Icon className="size-5" aria-hidden />
                {t(`theme_${v}`)}
              </label>
            );
          })}
        </div>
      </fieldset>
      <div className="mt-5 sm:max-w-xs">
        <Label htmlFor="language">{t("language")}</Label>
        <NativeSelect
          id="language"
          value={locale}
          disabled={pending}
          onChange={(e) => {
            const l = parseLocale(e.target.value);
            if (!l) return;
            saveLocale(l);
            start(() => router.refresh());
          }}
        >
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </NativeSelect>
      </div>
    </Card>
  );
}

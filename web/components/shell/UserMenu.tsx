"use client";
import { ChevronDown, Keyboard, LogOut, Monitor, Moon, Sun } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { apiFetch } from "@/lib/client";
import { parseTheme, type Theme } from "@/lib/prefs";
import { saveTheme } from "@/lib/prefs-client";
import { openShortcutHelp } from "@/lib/shortcuts";
import type { User } from "@/lib/types";
import type { NavItem } from "./NavLinks";

function initials(u: User): string {
  const src = (u.name || u.email).trim();
  const parts = src.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

/** UserMenu is the account button: who is signed in, the sections (on a phone), theme, shortcuts and sign-out. */
export default function UserMenu({ user, items }: { user: User; items: NavItem[] }) {
  const t = useTranslations("nav");
  const router = useRouter();
  const [theme, setTheme] = useState<Theme>(() => (typeof document === "undefined" ? "system" : parseTheme(document.documentElement.dataset.theme)));
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className="flex h-9 max-w-[14rem] items-center gap-2 rounded-full border border-border bg-background ps-1 pe-2 text-sm hover:bg-surface"
        data-testid="account-menu"
      >
        <span aria-hidden className="flex size-7 shrink-0 items-center justify-center rounded-full bg-accent-soft text-xs font-semibold text-accent">
          {initials(user)}
        </span>
        <span data-testid="whoami" className="hidden truncate font-medium sm:inline">
          {user.name || user.email}
        </span>
        {/* On a phone only the initials show: the button is still named for screen readers. */}
        <span className="sr-only sm:hidden">{t("account", { name: user.name || user.email })}</span>
        <ChevronDown className="size-4 shrink-0 text-muted-foreground" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuLabel className="truncate">
          <span className="block truncate text-sm font-medium text-foreground">{user.name || user.email}</span>
          <span className="block truncate">{user.email}</span>
        </DropdownMenuLabel>
        <div className="md:hidden">
          <DropdownMenuSeparator />
          {items.map((i) => (
            <DropdownMenuItem key={i.href} asChild>
              <Link href={i.href} className="text-foreground no-underline">
                {i.label}
              </Link>
            </DropdownMenuItem>
          ))}
        </div>
        <DropdownMenuSeparator />
        <DropdownMenuLabel>{t("theme")}</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={theme}
          onValueChange={(v) => {
            const th = parseTheme(v);
            saveTheme(th);
            setTheme(th);
          }}
        >
          <DropdownMenuRadioItem value="system">
            <Monitor aria-hidden /> {t("themeSystem")}
          </DropdownMenuRadioItem>
          <DropdownMenuRadioItem value="light">
            <Sun aria-hidden /> {t("themeLight")}
          </DropdownMenuRadioItem>
          <DropdownMenuRadioItem value="dark">
            <Moon aria-hidden /> {t("themeDark")}
          </DropdownMenuRadioItem>
        </DropdownMenuRadioGroup>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => openShortcutHelp()}>
          <Keyboard aria-hidden /> {t("shortcuts")}
        </DropdownMenuItem>
        <DropdownMenuItem
          onSelect={async () => {
            await apiFetch("/auth/logout", { method: "POST" }).catch(() => undefined);
            router.replace("/login");
            router.refresh();
          }}
        >
          <LogOut aria-hidden /> {t("signOut")}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

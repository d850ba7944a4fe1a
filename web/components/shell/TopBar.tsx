import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonVariants } from "@/components/ui/button";
import type { User } from "@/lib/types";
import Logo from "./Logo";
import NavLinks, { type NavItem } from "./NavLinks";
import UserMenu from "./UserMenu";

/** navItems are the main sections a user may open; admins also get Admin. */
export function navItems(user: User | null, t: (k: string) => string): NavItem[] {
  const items: NavItem[] = [];
  if (user) items.push({ href: "/chat", label: t("chat") }, { href: "/settings", label: t("settings") });
  if (user?.role === "admin") items.push({ href: "/admin", label: t("admin") });
  items.push({ href: "/status", label: t("status") });
  return items;
}

/** TopBar is the site header of every page with a user context: brand, sections, and the account menu. */
export default async function TopBar({ user }: { user: User | null }) {
  const t = await getTranslations("nav");
  const items = navItems(user, t);
  return (
    <header className="sticky top-0 z-30 flex h-14 shrink-0 items-center gap-2 border-b border-border bg-background/90 px-3 backdrop-blur sm:gap-4 sm:px-4">
      <Link href="/" className="rounded-md no-underline">
        <Logo />
      </Link>
      <NavLinks items={items} label={t("main")} />
      <span className="flex-1" />
      {user ? (
        <UserMenu user={user} items={items} />
      ) : (
        <Link href="/login" className={buttonVariants({ size: "sm" })}>
          {t("signIn")}
        </Link>
      )}
    </header>
  );
}

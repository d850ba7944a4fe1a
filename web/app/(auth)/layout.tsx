import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import Logo from "@/components/shell/Logo";
import { currentUser } from "@/lib/server";

/** AuthLayout frames the signed-out pages (sign-in, sign-up); a signed-in visitor goes straight to the chat. */
export default async function AuthLayout({ children }: { children: React.ReactNode }) {
  if (await currentUser()) redirect("/chat");
  const t = await getTranslations("auth");
  return (
    <div className="flex min-h-dvh flex-col bg-surface">
      <header className="flex h-16 items-center px-6">
        <Link href="/" className="rounded-md no-underline" aria-label="parley">
          <Logo />
        </Link>
      </header>
      <main id="main" className="flex flex-1 items-start justify-center px-4 pb-16 pt-6 sm:items-center sm:pt-0">
        {children}
      </main>
      <footer className="flex justify-center gap-4 pb-6 text-sm text-muted-foreground">
        <Link href="/status" className="text-muted-foreground hover:text-foreground">
          {t("serviceStatus")}
        </Link>
      </footer>
    </div>
  );
}

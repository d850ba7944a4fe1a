import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getTranslations } from "next-intl/server";
import icon from "@/assets/icon.svg";
import ClientSetup from "@/components/shell/ClientSetup";
import { dirOf, themeClass } from "@/lib/prefs";
import { readPrefs } from "@/lib/prefs-server";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("meta");
  return {
    title: { default: "parley", template: "%s · parley" },
    description: t("description"),
    applicationName: "parley",
    // An imported file, not app/icon.svg: it gets a content-hashed name under
    // /_next/static/media, so it is cached as immutable and served by the CDN.
    icons: { icon: { url: icon.src, type: "image/svg+xml" }, apple: "/icons/apple-touch-icon.png" },
    appleWebApp: { capable: true, title: "parley", statusBarStyle: "default" },
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  viewportFit: "cover",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#0b0b0f" },
  ],
};

/**
 * RootLayout: the language, writing direction and theme come from the
 * preferences (lib/prefs.ts) and are written into <html> on the server, so
 * the first paint is right. Reading the request makes every page dynamic,
 * so each gets its own CSP nonce.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { theme, locale } = await readPrefs();
  const t = await getTranslations("common");
  return (
    <html lang={locale} dir={dirOf(locale)} className={themeClass(theme)} data-theme={theme}>
      <body className="min-h-dvh">
        <a
          className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium shadow-lg focus:not-sr-only focus:fixed focus:start-3 focus:top-3"
          href="#main"
        >
          {t("skipToContent")}
        </a>
        <NextIntlClientProvider>
          <ClientSetup />
          {children}
        </NextIntlClientProvider>
      </body>
    </html>
  );
}

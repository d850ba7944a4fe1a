import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import icon from "@/assets/icon.svg";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "parley", template: "%s · parley" },
  description: "Self-hosted AI chat",
  // An imported file, not app/icon.svg: it gets a content-hashed name under
  // /_next/static/media, so it is cached as immutable and served by the CDN.
  icons: { icon: { url: icon.src, type: "image/svg+xml" } },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request headers makes every page dynamic, so each gets its own CSP nonce.
  await headers();
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}

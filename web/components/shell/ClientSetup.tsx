"use client";
import { setNonce } from "get-nonce";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { syncTimeZone } from "@/lib/prefs-client";

/**
 * ClientSetup does the page's one-time browser setup:
 * - hands this page's CSP nonce to the libraries that add <style> elements
 *   (Radix's scroll lock, through get-nonce), so the CSP admits them;
 * - tells the server the browser's time zone (once; dates are then formatted in it);
 * - registers the service worker (public/sw.js) that shows the offline page.
 */
export default function ClientSetup() {
  const router = useRouter();
  useEffect(() => {
    if (syncTimeZone()) router.refresh();
    const n = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
    if (n) setNonce(n);
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
    }
  }, [router]);
  return null;
}

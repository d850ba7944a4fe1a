/** Content-Security-Policy built around a per-request nonce. */

/** newNonce returns 128 random bits, base64-encoded. */
export function newNonce(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b));
}

/**
 * contentSecurityPolicy is the page CSP: scripts and styles only from this
 * origin or with the nonce; `assets` (see assetSource in lib/cdn) adds the
 * CDN's static path to scripts, styles, images and fonts.
 */
export function contentSecurityPolicy(nonce: string, dev: boolean, https: boolean, assets = ""): string {
  const cdn = assets ? ` ${assets}` : "";
  const d = [
    "default-src 'self'",
    `script-src 'self'${cdn} 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self'${cdn} 'nonce-${nonce}'`,
    `img-src 'self'${cdn} blob: data:`,
    `font-src 'self'${cdn}`,
    "connect-src 'self'",
    // The service worker (public/sw.js) and the web app manifest, from this origin only.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) d.push("upgrade-insecure-requests");
  return d.join("; ");
}

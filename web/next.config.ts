import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { parseAssetPrefix } from "./lib/cdn";

// Security headers sent with every response; the CSP (with its per-request
// nonce) is added by proxy.ts because it changes on every page view.
const securityHeaders = [
  { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  {
    key: "Permissions-Policy",
    value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

// The CDN origin for /_next/static (e.g. https://cdn.example.com), a build-time
// setting: Next writes it into the HTML and the client runtime. Unset, the
// browser loads everything from this server. Either way server.mjs serves the
// static files too, so a CDN can pull them from here (its origin).
const assetPrefix = parseAssetPrefix(process.env.PARLEY_ASSET_PREFIX);

const nextConfig: NextConfig = {
  output: "standalone",
  assetPrefix: assetPrefix || undefined,
  // <script crossorigin>: assets from another origin are fetched with CORS
  // (no cookies), which Subresource Integrity (below) and error reports need.
  crossOrigin: "anonymous",
  // proxy.ts admits the asset origin in its CSP: inlined at build time.
  env: { PARLEY_BUILT_ASSET_PREFIX: assetPrefix },
  // gzip for pages and static assets. Event streams are left alone: the BFF
  // marks them `Cache-Control: no-cache, no-transform`, which Next's
  // compression honours, so each event reaches the browser as it arrives
  // (e2e: "passes event streams through unbuffered to a gzip client").
  compress: true,
  // KaTeX's HTML is parsed without the DOM, so the CSP sees no inline styles (lib/shims/from-html-isomorphic.ts).
  turbopack: { resolveAlias: { "hast-util-from-html-isomorphic": "./lib/shims/from-html-isomorphic.ts" } },
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // forbidden(): admin pages answer 403 to signed-in non-admins.
    authInterrupts: true,
    // Subresource Integrity: the page's <script> tags carry the SHA-384 of
    // their file, so a CDN (or anything between) that alters one cannot run it.
    sri: { algorithm: "sha384" },
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // Content-hashed static files are public: a CDN on another origin may
      // serve them, and scripts, styles and fonts loaded with CORS need this.
      { source: "/_next/static/:path*", headers: [{ key: "Access-Control-Allow-Origin", value: "*" }] },
    ];
  },
};

// next-intl: the language of each request and its messages (i18n/request.ts).
const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

export default withNextIntl(nextConfig);

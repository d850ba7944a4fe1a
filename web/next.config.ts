import type { NextConfig } from "next";

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

const nextConfig: NextConfig = {
  output: "standalone",
  // gzip for pages and static assets. Event streams are left alone: the BFF
  // marks them `Cache-Control: no-cache, no-transform`, which Next's
  // compression honours, so each event reaches the browser as it arrives
  // (e2e: "passes event streams through unbuffered to a gzip client").
  compress: true,
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden(): admin pages answer 403 to signed-in non-admins.
  experimental: { authInterrupts: true },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;

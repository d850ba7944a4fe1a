import { describe, expect, it } from "vitest";
import { assetSource, parseAssetPrefix } from "@/lib/cdn";
import { contentSecurityPolicy } from "@/lib/csp";

describe("parseAssetPrefix", () => {
  it.each([
    [undefined, ""],
    ["", ""],
    ["  ", ""],
    ["https://cdn.example.com", "https://cdn.example.com"],
    ["https://cdn.example.com/", "https://cdn.example.com"],
    ["https://CDN.example.com/parley/", "https://cdn.example.com/parley"],
    ["http://127.0.0.1:8787", "http://127.0.0.1:8787"],
  ])("%j → %j", (raw, want) => {
    expect(parseAssetPrefix(raw)).toBe(want);
  });

  it.each([
    ["cdn.example.com", /not an absolute URL/],
    ["/static", /not an absolute URL/],
    ["ftp://cdn.example.com", /scheme ftp: is not http: or https:/],
    ["javascript:alert(1)", /scheme javascript:/],
    ["https://cdn.example.com/?v=1", /no credentials, query or fragment/],
    ["https://cdn.example.com/#x", /no credentials, query or fragment/],
    ["https://user:pw@cdn.example.com", /no credentials, query or fragment/],
  ])("refuses %j", (raw, want) => {
    expect(() => parseAssetPrefix(raw)).toThrow(want);
  });
});

describe("contentSecurityPolicy with an asset origin", () => {
  it("admits the CDN's static path for scripts, styles, images and fonts only, nonce rules intact", () => {
    const csp = contentSecurityPolicy("n0nce", false, true, assetSource("https://cdn.example.com"));
    expect(csp.split("; ")).toEqual([
      "default-src 'self'",
      "script-src 'self' https://cdn.example.com/_next/static/ 'nonce-n0nce' 'strict-dynamic'",
      "style-src 'self' https://cdn.example.com/_next/static/ 'nonce-n0nce'",
      "img-src 'self' https://cdn.example.com/_next/static/ blob: data:",
      "font-src 'self' https://cdn.example.com/_next/static/",
      "connect-src 'self'",
      "worker-src 'self'",
      "manifest-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "upgrade-insecure-requests",
    ]);
  });

  it("is unchanged without one", () => {
    expect(assetSource("")).toBe("");
    expect(contentSecurityPolicy("n", false, false, assetSource(""))).toBe(contentSecurityPolicy("n", false, false));
    expect(contentSecurityPolicy("n", false, false)).toContain("script-src 'self' 'nonce-n' 'strict-dynamic'; style-src 'self' 'nonce-n'; img-src 'self' blob: data:; font-src 'self';");
  });
});

/**
 * The asset origin (CDN) of the web app: PARLEY_ASSET_PREFIX, read when the
 * app is built (Next bakes assetPrefix into the HTML and the client runtime).
 */

/** parseAssetPrefix checks PARLEY_ASSET_PREFIX: "" (none) or an absolute http(s) URL, returned without a trailing slash. */
export function parseAssetPrefix(raw: string | undefined): string {
  const v = (raw ?? "").trim();
  if (v === "") return "";
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`PARLEY_ASSET_PREFIX: ${JSON.stringify(v)} is not an absolute URL (want e.g. https://cdn.example.com)`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw new Error(`PARLEY_ASSET_PREFIX: scheme ${u.protocol} is not http: or https:`);
  }
  if (u.username || u.password || u.search || u.hash || v.includes("?") || v.includes("#")) {
    throw new Error("PARLEY_ASSET_PREFIX: no credentials, query or fragment allowed (want e.g. https://cdn.example.com/parley)");
  }
  return (u.origin + u.pathname).replace(/\/+$/, "");
}

/** assetSource is the CSP source that admits the static files under a prefix ("" when there is none). */
export function assetSource(prefix: string | undefined): string {
  return prefix ? `${prefix}/_next/static/` : "";
}

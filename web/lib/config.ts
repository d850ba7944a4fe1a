/** Runtime configuration of the web app, read from the environment on each call (never baked in at build). */

/** apiBaseUrl is the parley API's address without a trailing slash, from PARLEY_API_URL. */
export function apiBaseUrl(): string {
  const raw = process.env.PARLEY_API_URL?.trim() || "http://127.0.0.1:8080";
  return raw.replace(/\/+$/, "");
}

/** signupMode mirrors the API's PARLEY_SIGNUP so the pages can hide or adapt the sign-up form. */
export function signupMode(): "open" | "invite" | "closed" {
  const v = process.env.PARLEY_SIGNUP?.trim();
  return v === "invite" || v === "closed" ? v : "open";
}

/** Server-side access to the parley API for Server Components, with the session's access token. */
import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { apiBaseUrl } from "./config";
import { readCookie } from "./session";
import type { User } from "./types";

/** apiGet fetches an API path (e.g. "/api/v1/me") as the signed-in user; null when refused or unreachable. */
export async function apiGet<T>(path: string, opts: { auth?: boolean } = { auth: true }): Promise<{ status: number; data: T | null }> {
  const jar = await cookies();
  const h = await headers();
  const access = readCookie((n) => jar.get(n)?.value, "access");
  const init: Record<string, string> = { accept: "application/json" };
  if (opts.auth !== false) {
    if (!access) return { status: 401, data: null };
    init.authorization = `Bearer ${access}`;
  }
  const xff = h.get("x-forwarded-for");
  if (xff) init["x-forwarded-for"] = xff;
  try {
    const res = await fetch(`${apiBaseUrl()}${path}`, { headers: init, cache: "no-store" });
    if (!res.ok) return { status: res.status, data: null };
    return { status: res.status, data: (await res.json()) as T };
  } catch {
    return { status: 502, data: null };
  }
}

/** currentUser is the signed-in user, or null; asked of the API once per request however many layouts and pages want it. */
export const currentUser = cache(async (): Promise<User | null> => {
  const r = await apiGet<User>("/api/v1/me");
  return r.data;
});

/** nonce is this request's CSP nonce, set by proxy.ts. */
export async function nonce(): Promise<string | undefined> {
  return (await headers()).get("x-nonce") ?? undefined;
}

/** requestPath is the path and query of the page being rendered, set by proxy.ts. */
export async function requestPath(): Promise<string> {
  return (await headers()).get("x-parley-path") ?? "/chat";
}

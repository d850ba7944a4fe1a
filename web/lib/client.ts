"use client";
/** Browser-side access to the BFF: JSON calls with the CSRF header, and problem errors. */
import type { Problem } from "./types";

/** ApiError carries the problem+json answer of a failed call. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

/** csrfToken reads the double-submit token cookie (the only cookie JavaScript may read). */
export function csrfToken(): string {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "__Host-parley_csrf" || k === "parley_csrf") return decodeURIComponent(v.join("="));
  }
  return "";
}

/** apiFetch calls /api/v1<path> with the CSRF header; it resolves to the raw Response. */
export function apiFetch(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("x-csrf-token", csrfToken());
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return fetch(`/api/v1${path}`, { ...init, headers, body, credentials: "same-origin", cache: "no-store" });
}

/** toProblem reads a failed response's problem body. */
export async function toProblem(res: Response): Promise<Problem> {
  try {
    return (await res.json()) as Problem;
  } catch {
    return { status: res.status, title: res.statusText || `HTTP ${res.status}` };
  }
}

/** api calls /api/v1<path> and returns its JSON, throwing ApiError on failure. */
export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const res = await apiFetch(path, init);
  if (!res.ok) throw new ApiError(res.status, await toProblem(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

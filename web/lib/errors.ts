/**
 * The API's error vocabulary, mirrored from docs/ARCHITECTURE.md ("Problem
 * body … Codes:") and internal/errs: every `code` a problem+json answer of
 * /api/v1 can carry. A new code in the API is added here in the same commit;
 * test/errors.test.ts checks this list against the architecture document.
 */

/** PROBLEM_CODES are the problem codes with the HTTP status the API answers them with. */
export const PROBLEM_CODES = {
  invalid: 400,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  quota_exceeded: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
} as const;

/** ProblemCode is one `code` of a problem+json answer. */
export type ProblemCode = keyof typeof PROBLEM_CODES;

/** isProblemCode tells whether a string is a code the API defines (an unknown one is shown by its detail only). */
export function isProblemCode(v: unknown): v is ProblemCode {
  return typeof v === "string" && Object.hasOwn(PROBLEM_CODES, v);
}

/** PROBLEM_TYPE_BASE prefixes each problem's `type` URI (internal/httpapi's ProblemTypeBase). */
export const PROBLEM_TYPE_BASE = "https://parley.dev/problems/";

/** problemResponse builds an application/problem+json response in the API's own shape (answers the forwarder gives itself). */
export function problemResponse(status: number, code: ProblemCode, title: string, detail?: string): Response {
  return new Response(JSON.stringify({ type: PROBLEM_TYPE_BASE + code, title, status, code, detail: detail ?? title }), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
  });
}

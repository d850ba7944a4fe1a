/** Health answers of the web app for probes: liveness needs nothing; readiness also asks the API. */

const HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/** alive answers 200 {"status":"ok"}: the web server runs. No session, no API call. */
export function alive(): Response {
  return new Response(JSON.stringify({ status: "ok" }), { status: 200, headers: HEADERS });
}

/**
 * ready answers 200 {"status":"ok"} when the API at base answers its /readyz with 200,
 * else 503 {"status":"unavailable","api":"<why>"}; it waits at most timeoutMs for the API.
 */
export async function ready(base: string, timeoutMs = 2_000): Promise<Response> {
  let why: string;
  try {
    const r = await fetch(`${base}/readyz`, { cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    await r.body?.cancel();
    if (r.status === 200) return new Response(JSON.stringify({ status: "ok" }), { status: 200, headers: HEADERS });
    why = `readyz answered ${r.status}`;
  } catch (e) {
    why = (e as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "unreachable";
  }
  return new Response(JSON.stringify({ status: "unavailable", api: why }), { status: 503, headers: HEADERS });
}

/** draining answers 503 {"status":"unavailable","reason":"shutting down"}: the server got SIGTERM and drains. */
export function draining(): Response {
  return new Response(JSON.stringify({ status: "unavailable", reason: "shutting down" }), { status: 503, headers: HEADERS });
}

/** isDraining tells whether scripts/server.mjs began a graceful shutdown (it sets globalThis.__parleyDraining). */
export function isDraining(): boolean {
  return (globalThis as { __parleyDraining?: boolean }).__parleyDraining === true;
}

/** GET /readyz: the web app is up, not shutting down, and the parley API it forwards to is ready. */
import { apiBaseUrl } from "@/lib/config";
import { draining, isDraining, ready } from "@/lib/health";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  // During PARLEY_WEB_SHUTDOWN_DRAIN (set by scripts/server.mjs) the load balancer is told to go elsewhere.
  if (isDraining()) return Promise.resolve(draining());
  return ready(apiBaseUrl());
}

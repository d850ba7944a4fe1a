/** GET /readyz: the web app is up and the parley API it forwards to is ready. */
import { apiBaseUrl } from "@/lib/config";
import { ready } from "@/lib/health";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return ready(apiBaseUrl());
}

/** GET /healthz: the web app is alive (for container and Kubernetes probes). */
import { alive } from "@/lib/health";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return alive();
}

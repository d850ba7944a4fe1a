/** Catch-all Route Handler: every /api/* request is forwarded to the parley API (lib/api-forward.ts). */
import { forwardApi } from "@/lib/api-forward";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ path: string[] }> };

async function route(req: Request, ctx: Ctx): Promise<Response> {
  const { path } = await ctx.params;
  return forwardApi(req, path);
}

export { route as GET, route as POST, route as PUT, route as PATCH, route as DELETE };

/** Server side of the preferences (lib/prefs.ts): read them for the page being rendered. */
import "server-only";
import { cookies, headers } from "next/headers";
import { resolvePrefs } from "./negotiate";
import type { Prefs } from "./prefs";

/** readPrefs is the theme and language for this request: the stored choice, else the browser's languages. */
export async function readPrefs(): Promise<Prefs> {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  return resolvePrefs((n) => jar.get(n)?.value, h.get("accept-language"));
}

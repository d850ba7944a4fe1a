/** next-intl's request configuration: the language of each request (lib/prefs.ts) and its messages. */
import { getRequestConfig } from "next-intl/server";
import { readPrefs } from "@/lib/prefs-server";

export default getRequestConfig(async () => {
  const { locale, timeZone } = await readPrefs();
  return { locale, timeZone, messages: (await import(`../messages/${locale}.json`)).default };
});

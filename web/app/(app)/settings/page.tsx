import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Preferences from "@/components/settings/Preferences";
import { Password, Profile, Tokens, UsagePanel } from "@/components/settings/Settings";
import PageHeader from "@/components/shell/PageHeader";
import { readPrefs } from "@/lib/prefs-server";
import { currentUser } from "@/lib/server";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("nav"))("settings") };
}

/** SettingsPage: profile, password, theme and language, personal API tokens, today's usage. */
export default async function SettingsPage() {
  const [t, user, prefs] = await Promise.all([getTranslations("settings"), currentUser(), readPrefs()]);
  if (!user) return null; // the layout has already sent a signed-out visitor to sign-in
  return (
    <main id="main" className="mx-auto w-full max-w-3xl px-4 py-8 sm:py-10">
      <PageHeader title={t("title")} lead={t("lead")} />
      <div className="space-y-6">
        <Profile user={user} />
        <Preferences theme={prefs.theme} />
        <Password />
        <Tokens />
        <UsagePanel />
      </div>
    </main>
  );
}

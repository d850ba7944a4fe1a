import type { Metadata } from "next";
import { redirect } from "next/navigation";
import Settings from "@/components/Settings";
import TopBar from "@/components/TopBar";
import { currentUser } from "@/lib/server";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await currentUser();
  if (!user) redirect("/login?next=/settings");
  return (
    <>
      <TopBar user={user} />
      <Settings user={user} />
    </>
  );
}

import { redirect } from "next/navigation";
import KeyboardShortcuts from "@/components/shell/KeyboardShortcuts";
import TopBar from "@/components/shell/TopBar";
import { currentUser, requestPath } from "@/lib/server";

/**
 * AppLayout frames every signed-in page (chat, settings, admin): the session
 * check and the top bar live here once. proxy.ts already sends visitors
 * without a session cookie to sign-in; this also catches a session the API
 * refuses (e.g. a disabled account).
 */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(await requestPath())}`);
  return (
    <div className="flex min-h-dvh flex-col">
      <TopBar user={user} />
      {children}
      <KeyboardShortcuts />
    </div>
  );
}

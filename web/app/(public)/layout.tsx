import KeyboardShortcuts from "@/components/shell/KeyboardShortcuts";
import TopBar from "@/components/shell/TopBar";
import { currentUser } from "@/lib/server";

/** PublicLayout frames pages anyone may see (the status page), with the top bar of whoever is looking. */
export default async function PublicLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <div className="flex min-h-dvh flex-col">
      <TopBar user={user} />
      {children}
      {user && <KeyboardShortcuts />}
    </div>
  );
}

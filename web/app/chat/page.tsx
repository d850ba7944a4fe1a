import type { Metadata } from "next";
import { redirect } from "next/navigation";
import ChatApp from "@/components/ChatApp";
import TopBar from "@/components/TopBar";
import { currentUser } from "@/lib/server";

export const metadata: Metadata = { title: "Chat" };

export default async function ChatPage() {
  const user = await currentUser();
  if (!user) redirect("/login?next=/chat");
  return (
    <div className="app">
      <TopBar user={user} />
      <ChatApp initialId={null} />
    </div>
  );
}

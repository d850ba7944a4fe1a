import type { Metadata } from "next";
import { redirect } from "next/navigation";
import ChatApp from "@/components/ChatApp";
import TopBar from "@/components/TopBar";
import { currentUser } from "@/lib/server";

export const metadata: Metadata = { title: "Chat" };

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await currentUser();
  if (!user) redirect(`/login?next=/chat/${encodeURIComponent(id)}`);
  return (
    <div className="app">
      <TopBar user={user} />
      <ChatApp initialId={id} />
    </div>
  );
}

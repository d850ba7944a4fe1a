import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import ChatApp from "@/components/chat/ChatApp";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("nav"))("chat") };
}

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ChatApp initialId={id} />;
}

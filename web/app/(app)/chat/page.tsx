import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import ChatApp from "@/components/chat/ChatApp";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("nav"))("chat") };
}

export default function ChatPage() {
  return <ChatApp initialId={null} />;
}

import { redirect } from "next/navigation";
import { currentUser } from "@/lib/server";

export default async function Home() {
  redirect((await currentUser()) ? "/chat" : "/login");
}

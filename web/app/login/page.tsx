import type { Metadata } from "next";
import { redirect } from "next/navigation";
import AuthForm from "@/components/AuthForm";
import { signupMode } from "@/lib/config";
import { currentUser } from "@/lib/server";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (await currentUser()) redirect("/chat");
  return <AuthForm mode="login" signupOpen={signupMode() !== "closed"} />;
}

import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import AuthForm from "@/components/AuthForm";
import { signupMode } from "@/lib/config";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth"))("signInTitle") };
}

export default function LoginPage() {
  return <AuthForm mode="login" signupOpen={signupMode() !== "closed"} />;
}

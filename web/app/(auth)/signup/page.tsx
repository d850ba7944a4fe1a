import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import AuthForm from "@/components/AuthForm";
import { signupMode } from "@/lib/config";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth"))("signUpTitle") };
}

export default async function SignupPage() {
  const mode = signupMode();
  if (mode === "closed") {
    const t = await getTranslations("auth");
    return (
      <div className="w-full max-w-sm rounded-2xl border border-border bg-background p-8 shadow-soft">
        <h1 className="text-xl font-semibold tracking-tight">{t("closedTitle")}</h1>
        <p className="mt-2 text-sm text-muted-foreground">{t("closedBody")}</p>
        <p className="mt-6 text-sm">
          <Link href="/login">{t("signIn")}</Link>
        </p>
      </div>
    );
  }
  return <AuthForm mode="register" invite={mode === "invite"} />;
}

import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import AuthForm from "@/components/AuthForm";
import { signupMode } from "@/lib/config";
import { currentUser } from "@/lib/server";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignupPage() {
  if (await currentUser()) redirect("/chat");
  const mode = signupMode();
  if (mode === "closed") {
    return (
      <main id="main" className="auth">
        <h1>Sign-up is closed</h1>
        <p>Ask an administrator for an account.</p>
        <p>
          <Link href="/login">Sign in</Link>
        </p>
      </main>
    );
  }
  return <AuthForm mode="register" invite={mode === "invite"} />;
}

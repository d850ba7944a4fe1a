"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch, toProblem } from "@/lib/client";
import { describeProblem } from "@/lib/problems";
import type { Problem } from "@/lib/types";

/** safeNext keeps a post-login redirect on this site. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/chat";
}

/** AuthForm is the sign-in or sign-up form; the BFF keeps the tokens in httpOnly cookies. */
export default function AuthForm({ mode, invite, signupOpen }: { mode: "login" | "register"; invite?: boolean; signupOpen?: boolean }) {
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const isLogin = mode === "login";
  const router = useRouter();

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const f = new FormData(e.currentTarget);
    const body: Record<string, string> = { email: String(f.get("email") ?? ""), password: String(f.get("password") ?? "") };
    if (!isLogin) {
      if (f.get("name")) body.name = String(f.get("name"));
      if (f.get("invite_code")) body.invite_code = String(f.get("invite_code"));
    }
    try {
      const res = await apiFetch(`/auth/${mode}`, { method: "POST", json: body });
      if (!res.ok) {
        setError(await toProblem(res));
        return;
      }
      router.replace(safeNext(new URLSearchParams(window.location.search).get("next")));
      router.refresh();
    } catch {
      setError({ title: "The server could not be reached. Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) => error?.errors?.find((x) => x.field === name)?.message;
  // Field errors without a place beside a field of this form go into the alert.
  const shown = ["email", "password", ...(!isLogin && invite ? ["invite_code"] : [])];
  const unplaced = error?.errors?.filter((x) => !shown.includes(x.field)) ?? [];

  return (
    <main id="main" className="auth">
      <h1>{isLogin ? "Sign in to parley" : "Create your parley account"}</h1>
      <form onSubmit={submit} noValidate={false}>
        {!isLogin && (
          <>
            <label htmlFor="name">Name</label>
            <input id="name" name="name" autoComplete="name" />
          </>
        )}
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="email" required aria-describedby={fieldError("email") ? "email-err" : undefined} />
        {fieldError("email") && (
          <p id="email-err" className="error">
            {fieldError("email")}
          </p>
        )}
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={isLogin ? "current-password" : "new-password"}
          required
          minLength={isLogin ? undefined : 8}
          aria-describedby={fieldError("password") ? "password-err" : undefined}
        />
        {fieldError("password") && (
          <p id="password-err" className="error">
            {fieldError("password")}
          </p>
        )}
        {!isLogin && invite && (
          <>
            <label htmlFor="invite_code">Invite code</label>
            <input
              id="invite_code"
              name="invite_code"
              required
              autoComplete="off"
              aria-describedby={fieldError("invite_code") ? "invite_code-err" : undefined}
            />
            {fieldError("invite_code") && (
              <p id="invite_code-err" role="alert" className="error">
                Invite code {fieldError("invite_code")}.
              </p>
            )}
          </>
        )}
        {error && (!error.errors?.length || unplaced.length > 0) && (
          <p role="alert" className="error">
            {error.code === "unauthorized" && isLogin
              ? "Wrong email or password."
              : describeProblem(unplaced.length ? { ...error, errors: unplaced } : error)}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {isLogin ? "Sign in" : "Sign up"}
        </button>
      </form>
      <p>
        {isLogin ? (
          signupOpen ? (
            <>
              No account yet? <Link href="/signup">Sign up</Link>
            </>
          ) : null
        ) : (
          <>
            Already have an account? <Link href="/login">Sign in</Link>
          </>
        )}
      </p>
      <p>
        <Link href="/status">Service status</Link>
      </p>
    </main>
  );
}

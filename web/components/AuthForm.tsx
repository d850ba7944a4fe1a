"use client";
import { Loader2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input, Label } from "@/components/ui/input";
import { apiFetch, toProblem } from "@/lib/client";
import { useDescribeProblem } from "@/lib/problems-client";
import { safeNext } from "@/lib/safe-next";
import type { Problem } from "@/lib/types";

function FieldError({ id, children, alert }: { id: string; children: React.ReactNode; alert?: boolean }) {
  return (
    <p id={id} role={alert ? "alert" : undefined} className="text-sm text-danger">
      {children}
    </p>
  );
}

/** AuthForm is the sign-in or sign-up form; the API forwarder keeps the tokens in httpOnly cookies. */
export default function AuthForm({ mode, invite, signupOpen }: { mode: "login" | "register"; invite?: boolean; signupOpen?: boolean }) {
  const t = useTranslations("auth");
  const describe = useDescribeProblem();
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
      setError({ title: t("unreachable") });
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) => error?.errors?.find((x) => x.field === name)?.message;
  // Field errors without a place beside a field of this form go into the alert.
  const shown = ["email", "password", ...(!isLogin && invite ? ["invite_code"] : [])];
  const unplaced = error?.errors?.filter((x) => !shown.includes(x.field)) ?? [];

  return (
    <div className="w-full max-w-sm">
      <div className="rounded-2xl border border-border bg-background p-6 shadow-soft sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">{isLogin ? t("signInHeading") : t("signUpHeading")}</h1>
        <p className="mt-1.5 text-sm text-muted-foreground">{isLogin ? t("signInLead") : t("signUpLead")}</p>
        <form onSubmit={submit} className="mt-6 space-y-4">
          {!isLogin && (
            <Field>
              <Label htmlFor="name">{t("name")}</Label>
              <Input id="name" name="name" autoComplete="name" />
            </Field>
          )}
          <Field>
            <Label htmlFor="email">{t("email")}</Label>
            <Input
              id="email"
              name="email"
              type="email"
              autoComplete="email"
              required
              dir="ltr"
              aria-invalid={fieldError("email") ? true : undefined}
              aria-describedby={fieldError("email") ? "email-err" : undefined}
            />
            {fieldError("email") && <FieldError id="email-err">{fieldError("email")}</FieldError>}
          </Field>
          <Field>
            <Label htmlFor="password">{t("password")}</Label>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete={isLogin ? "current-password" : "new-password"}
              required
              minLength={isLogin ? undefined : 8}
              aria-invalid={fieldError("password") ? true : undefined}
              aria-describedby={fieldError("password") ? "password-err" : isLogin ? undefined : "password-hint"}
            />
            {fieldError("password") ? (
              <FieldError id="password-err">{fieldError("password")}</FieldError>
            ) : (
              !isLogin && (
                <p id="password-hint" className="text-xs text-muted-foreground">
                  {t("passwordHint")}
                </p>
              )
            )}
          </Field>
          {!isLogin && invite && (
            <Field>
              <Label htmlFor="invite_code">{t("inviteCode")}</Label>
              <Input
                id="invite_code"
                name="invite_code"
                required
                autoComplete="off"
                dir="ltr"
                aria-invalid={fieldError("invite_code") ? true : undefined}
                aria-describedby={fieldError("invite_code") ? "invite_code-err" : undefined}
              />
              {fieldError("invite_code") && (
                <FieldError id="invite_code-err" alert>
                  {t("inviteCodeError", { message: fieldError("invite_code") ?? "" })}
                </FieldError>
              )}
            </Field>
          )}
          {error && (!error.errors?.length || unplaced.length > 0) && (
            <Alert role="alert" tone="danger">
              {error.code === "unauthorized" && isLogin ? t("wrongPassword") : describe(unplaced.length ? { ...error, errors: unplaced } : error)}
            </Alert>
          )}
          <Button type="submit" className="w-full" size="lg" disabled={busy}>
            {busy && <Loader2 className="animate-spin" aria-hidden />}
            {isLogin ? t("signIn") : t("signUp")}
          </Button>
        </form>
      </div>
      <p className="mt-6 text-center text-sm text-muted-foreground">
        {isLogin ? (
          signupOpen ? (
            <>
              {t("noAccount")} <Link href="/signup">{t("signUp")}</Link>
            </>
          ) : null
        ) : (
          <>
            {t("haveAccount")} <Link href="/login">{t("signIn")}</Link>
          </>
        )}
      </p>
    </div>
  );
}

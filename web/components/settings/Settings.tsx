"use client";
import { Copy, KeyRound, Trash2 } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { Field, Input, Label } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api, ApiError } from "@/lib/client";
import { useDescribeProblem } from "@/lib/problems-client";
import type { ApiToken, List, Usage, User } from "@/lib/types";

function useErrText() {
  const describe = useDescribeProblem();
  return useCallback((e: unknown) => describe(e instanceof ApiError ? e.problem : null), [describe]);
}

function Result({ msg }: { msg: { ok: boolean; text: string } | null }) {
  if (!msg) return null;
  return (
    <Alert role="status" tone={msg.ok ? "ok" : "danger"} className="mt-4">
      {msg.text}
    </Alert>
  );
}

/** Profile changes the display name. */
export function Profile({ user }: { user: User }) {
  const t = useTranslations("settings");
  const errText = useErrText();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <Card aria-labelledby="profile-h">
      <CardTitle id="profile-h">{t("profileTitle")}</CardTitle>
      <CardDescription>
        {t("profileLead", { email: user.email, role: t(`role_${user.role}`) })}
      </CardDescription>
      <form
        className="mt-5"
        onSubmit={async (e) => {
          e.preventDefault();
          const name = String(new FormData(e.currentTarget).get("name") ?? "");
          try {
            await api<User>("/me", { method: "PATCH", json: { name } });
            setMsg({ ok: true, text: t("profileSaved") });
          } catch (err) {
            setMsg({ ok: false, text: errText(err) });
          }
        }}
      >
        <Label htmlFor="profile-name">{t("name")}</Label>
        <div className="flex flex-col gap-2 sm:flex-row">
          <Input id="profile-name" name="name" defaultValue={user.name} autoComplete="name" className="sm:max-w-sm" />
          <Button type="submit" variant="secondary">
            {t("saveProfile")}
          </Button>
        </div>
      </form>
      <Result msg={msg} />
    </Card>
  );
}

/** Password changes the password; this session stays signed in, the others are signed out. */
export function Password() {
  const t = useTranslations("settings");
  const errText = useErrText();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <Card aria-labelledby="password-h">
      <CardTitle id="password-h">{t("passwordTitle")}</CardTitle>
      <CardDescription>{t("passwordLead")}</CardDescription>
      <form
        className="mt-5 grid gap-4 sm:max-w-sm"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          try {
            await api<User>("/me", { method: "PATCH", json: { current_password: f.get("current_password"), password: f.get("new_password") } });
            form.reset();
            setMsg({ ok: true, text: t("passwordChanged") });
          } catch (err) {
            setMsg({ ok: false, text: errText(err) });
          }
        }}
      >
        <Field>
          <Label htmlFor="current_password">{t("currentPassword")}</Label>
          <Input id="current_password" name="current_password" type="password" autoComplete="current-password" required />
        </Field>
        <Field>
          <Label htmlFor="new_password">{t("newPassword")}</Label>
          <Input id="new_password" name="new_password" type="password" autoComplete="new-password" minLength={8} required />
        </Field>
        <div>
          <Button type="submit" variant="secondary">
            {t("changePassword")}
          </Button>
        </div>
      </form>
      <Result msg={msg} />
    </Card>
  );
}

/** Tokens creates, lists and revokes personal API tokens for /v1. */
export function Tokens() {
  const t = useTranslations("settings");
  const f = useFormatter();
  const errText = useErrText();
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const r = await api<List<ApiToken> | ApiToken[]>("/tokens");
      setTokens(Array.isArray(r) ? r : (r.data ?? []));
    } catch (err) {
      setError(errText(err));
    }
  }, [errText]);
  useEffect(() => {
    const tm = setTimeout(() => void load(), 0);
    return () => clearTimeout(tm);
  }, [load]);
  const when = (s: string) => f.dateTime(new Date(s), { dateStyle: "medium", timeStyle: "short" });
  return (
    <Card aria-labelledby="tokens-h">
      <CardTitle id="tokens-h">{t("tokensTitle")}</CardTitle>
      <CardDescription>{t("tokensLead")}</CardDescription>
      <form
        className="mt-5 flex flex-col gap-3 sm:flex-row sm:items-end"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const fd = new FormData(form);
          const days = Number(fd.get("expires_in_days") || 0);
          try {
            const tk = await api<ApiToken>("/tokens", { method: "POST", json: { name: fd.get("token_name"), ...(days > 0 ? { expires_in_days: days } : {}) } });
            setCreated(tk);
            form.reset();
            setError(null);
            await load();
          } catch (err) {
            setError(errText(err));
          }
        }}
      >
        <Field className="flex-1">
          <Label htmlFor="token_name">{t("tokenName")}</Label>
          <Input id="token_name" name="token_name" required maxLength={100} />
        </Field>
        <Field className="sm:w-56">
          <Label htmlFor="expires_in_days">{t("expiresInDays")}</Label>
          <Input id="expires_in_days" name="expires_in_days" type="number" min={1} max={3650} />
        </Field>
        <Button type="submit">
          <KeyRound aria-hidden />
          {t("createToken")}
        </Button>
      </form>
      {created?.token && (
        <Alert tone="warn" role="status" className="mt-4 space-y-3">
          <p>{t.rich("tokenCreated", { name: created.name, b: (c) => <strong>{c}</strong> })}</p>
          <p className="break-all rounded-md border border-border bg-background p-2.5 font-mono text-[13px]" data-testid="new-token" dir="ltr">
            {created.token}
          </p>
          <div className="flex gap-2">
            <Button size="sm" variant="secondary" onClick={() => void navigator.clipboard.writeText(created.token ?? "")}>
              <Copy aria-hidden />
              {t("copyToken")}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setCreated(null)}>
              {t("done")}
            </Button>
          </div>
        </Alert>
      )}
      {error && (
        <Alert role="alert" tone="danger" className="mt-4">
          {error}
        </Alert>
      )}
      <div className="mt-5">
        <Table data-testid="token-table">
          <caption className="sr-only">{t("tokensCaption")}</caption>
          <thead>
            <tr>
              <Th scope="col">{t("colName")}</Th>
              <Th scope="col">{t("colPrefix")}</Th>
              <Th scope="col">{t("colCreated")}</Th>
              <Th scope="col">{t("colExpires")}</Th>
              <Th scope="col">
                <span className="sr-only">{t("colActions")}</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 && (
              <tr>
                <Td colSpan={5} className="py-6 text-center text-muted-foreground">
                  {t("noTokens")}
                </Td>
              </tr>
            )}
            {tokens.map((tk) => (
              <tr key={tk.id}>
                <Td className="font-medium">{tk.name}</Td>
                <Td>
                  <code className="font-mono text-xs" dir="ltr">
                    {tk.prefix}…
                  </code>
                </Td>
                <Td className="whitespace-nowrap">{when(tk.created_at)}</Td>
                <Td className="whitespace-nowrap">{tk.expires_at ? when(tk.expires_at) : t("never")}</Td>
                <Td className="text-end">
                  <Button
                    size="sm"
                    variant="danger-ghost"
                    aria-label={t("revokeToken", { name: tk.name })}
                    onClick={async () => {
                      try {
                        await api(`/tokens/${tk.id}`, { method: "DELETE" });
                        await load();
                      } catch (err) {
                        setError(errText(err));
                      }
                    }}
                  >
                    <Trash2 aria-hidden />
                    {t("revoke")}
                  </Button>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
    </Card>
  );
}

/** UsagePanel shows today's token use against the daily quota, by model. */
export function UsagePanel() {
  const t = useTranslations("settings");
  const f = useFormatter();
  const errText = useErrText();
  const [u, setU] = useState<Usage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Usage>("/usage").then(setU, (err) => setError(errText(err)));
  }, [errText]);
  const n = (x: number) => f.number(x);
  return (
    <Card aria-labelledby="usage-h">
      <CardTitle id="usage-h">{t("usageTitle")}</CardTitle>
      {error && (
        <Alert tone="danger" className="mt-4">
          {error}
        </Alert>
      )}
      {u && (
        <>
          <p data-testid="usage-summary" className="mt-1 text-sm text-muted-foreground">
            {u.quota != null
              ? t("usageWithQuota", { used: n(u.used), quota: n(u.quota), left: n(u.remaining ?? 0), resets: f.dateTime(new Date(u.resets_at), { dateStyle: "medium", timeStyle: "short" }) })
              : t("usageNoQuota", { used: n(u.used), resets: f.dateTime(new Date(u.resets_at), { dateStyle: "medium", timeStyle: "short" }) })}
          </p>
          {u.quota != null && u.quota > 0 && (
            <progress
              max={u.quota}
              value={Math.min(u.used, u.quota)}
              aria-label={t("quotaShare")}
              className="mt-3 h-2 w-full overflow-hidden rounded-full [&::-webkit-progress-bar]:bg-surface-2 [&::-webkit-progress-value]:bg-accent"
            />
          )}
          <div className="mt-5">
            <Table>
              <caption className="sr-only">{t("usageCaption")}</caption>
              <thead>
                <tr>
                  <Th scope="col">{t("colModel")}</Th>
                  <Th scope="col" className="text-end">{t("colRequests")}</Th>
                  <Th scope="col" className="text-end">{t("colPrompt")}</Th>
                  <Th scope="col" className="text-end">{t("colCompletion")}</Th>
                </tr>
              </thead>
              <tbody>
                {(u.by_model ?? []).length === 0 && (
                  <tr>
                    <Td colSpan={4} className="py-6 text-center text-muted-foreground">
                      {t("noUsage")}
                    </Td>
                  </tr>
                )}
                {(u.by_model ?? []).map((m) => (
                  <tr key={m.model}>
                    <Td className="whitespace-nowrap font-mono text-xs" dir="ltr">{m.model}</Td>
                    <Td className="text-end tabular-nums">{n(m.requests)}</Td>
                    <Td className="text-end tabular-nums">{n(m.prompt_tokens)}</Td>
                    <Td className="text-end tabular-nums">{n(m.completion_tokens)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        </>
      )}
    </Card>
  );
}

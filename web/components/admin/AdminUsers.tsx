"use client";
import { Search, UserPlus } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { Field, Input, Label, NativeSelect } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import PageHeader from "@/components/shell/PageHeader";
import { api, ApiError } from "@/lib/client";
import { useDescribeProblem } from "@/lib/problems-client";
import type { List, User } from "@/lib/types";

/** AdminUsers lists users and changes their role, daily quota and disabled flag. */
export default function AdminUsers() {
  const t = useTranslations("admin");
  const f = useFormatter();
  const describe = useDescribeProblem();
  const [users, setUsers] = useState<User[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (query: string, after?: string) => {
      try {
        const r = await api<List<User>>(`/admin/users?limit=50${query ? `&q=${encodeURIComponent(query)}` : ""}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
        setUsers((cur) => (after ? [...cur, ...r.data] : r.data));
        setCursor(r.next_cursor);
      } catch (e) {
        setError(describe(e instanceof ApiError ? e.problem : null));
      }
    },
    [describe],
  );
  useEffect(() => {
    const tm = setTimeout(() => void load(q), q ? 250 : 0);
    return () => clearTimeout(tm);
  }, [q, load]);

  async function patch(u: User, body: Partial<Pick<User, "role" | "disabled" | "daily_token_quota">>) {
    try {
      const nu = await api<User>(`/admin/users/${u.id}`, { method: "PATCH", json: body });
      setUsers((us) => us.map((x) => (x.id === u.id ? nu : x)));
      setError(null);
    } catch (e) {
      setError(describe(e instanceof ApiError ? e.problem : null));
    }
  }

  return (
    <main id="main" className="space-y-6">
      <PageHeader title={t("users")} lead={t("usersLead")}>
        <div className="relative w-full sm:w-72">
          <Search className="pointer-events-none absolute start-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input id="user-search" type="search" aria-label={t("userSearch")} placeholder={t("userSearch")} value={q} onChange={(e) => setQ(e.target.value)} className="ps-8" />
        </div>
      </PageHeader>
      {error && (
        <Alert role="alert" tone="danger">
          {error}
        </Alert>
      )}
      <Table data-testid="users-table">
        <caption className="sr-only">{t("users")}</caption>
        <thead>
          <tr>
            <Th scope="col">{t("colEmail")}</Th>
            <Th scope="col">{t("colName")}</Th>
            <Th scope="col">{t("colRole")}</Th>
            <Th scope="col">{t("colQuota")}</Th>
            <Th scope="col">{t("colDisabled")}</Th>
            <Th scope="col">{t("colCreated")}</Th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <Td className="whitespace-nowrap font-medium" dir="ltr">{u.email}</Td>
              <Td className="whitespace-nowrap">{u.name}</Td>
              <Td>
                <NativeSelect aria-label={t("roleOf", { email: u.email })} value={u.role} onChange={(e) => void patch(u, { role: e.target.value as User["role"] })} className="h-8 w-28">
                  <option value="user">{t("role_user")}</option>
                  <option value="admin">{t("role_admin")}</option>
                </NativeSelect>
              </Td>
              <Td>
                <form
                  className="flex items-center gap-1.5"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const v = String(new FormData(e.currentTarget).get("quota") ?? "").trim();
                    void patch(u, { daily_token_quota: v === "" ? null : Number(v) });
                  }}
                >
                  <Input
                    name="quota"
                    type="number"
                    min={0}
                    placeholder={t("quotaDefault")}
                    aria-label={t("quotaOf", { email: u.email })}
                    defaultValue={u.daily_token_quota ?? ""}
                    className="h-8 w-32"
                  />
                  <Button type="submit" size="sm" variant="outline" aria-label={t("saveQuotaOf", { email: u.email })}>
                    {t("save")}
                  </Button>
                </form>
              </Td>
              <Td>
                <input type="checkbox" aria-label={t("disableUser", { email: u.email })} checked={u.disabled} onChange={(e) => void patch(u, { disabled: e.target.checked })} className="size-4 accent-[var(--danger)]" />
              </Td>
              <Td className="whitespace-nowrap text-muted-foreground">{f.dateTime(new Date(u.created_at), { dateStyle: "medium" })}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {cursor && (
        <Button variant="outline" onClick={() => void load(q, cursor)}>
          {t("loadMore")}
        </Button>
      )}
      <Invites />
    </main>
  );
}

/** Invites creates invite codes for invite-only sign-up. */
function Invites() {
  const t = useTranslations("admin");
  const describe = useDescribeProblem();
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Card aria-labelledby="invite-h">
      <CardTitle id="invite-h">{t("inviteTitle")}</CardTitle>
      <CardDescription>{t("inviteLead")}</CardDescription>
      <form
        className="mt-5 flex flex-col gap-3 sm:flex-row sm:items-end"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const email = String(new FormData(form).get("invite_email") ?? "").trim();
          try {
            const r = await api<{ code: string }>("/admin/invites", { method: "POST", json: email ? { email } : {} });
            setCode(r.code);
            setError(null);
            form.reset();
          } catch (err) {
            setError(describe(err instanceof ApiError ? err.problem : null));
          }
        }}
      >
        <Field className="flex-1 sm:max-w-sm">
          <Label htmlFor="invite_email">{t("inviteEmail")}</Label>
          <Input id="invite_email" name="invite_email" type="email" dir="ltr" />
        </Field>
        <Button type="submit">
          <UserPlus aria-hidden />
          {t("createInvite")}
        </Button>
      </form>
      {code && (
        <Alert role="status" tone="ok" className="mt-4 text-foreground">
          {t("inviteCode")}{" "}
          <span className="secret select-all rounded border border-border bg-background px-1.5 py-0.5 font-mono" dir="ltr">
            {code}
          </span>
        </Alert>
      )}
      {error && (
        <Alert role="alert" tone="danger" className="mt-4">
          {error}
        </Alert>
      )}
    </Card>
  );
}

"use client";
import { Filter } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input, Label } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import PageHeader from "@/components/shell/PageHeader";
import { api, ApiError } from "@/lib/client";
import { useDescribeProblem } from "@/lib/problems-client";
import type { AuditEntry, List } from "@/lib/types";

const FILTERS = [
  ["user_id", "filterUser", "text"],
  ["action", "filterAction", "text"],
  ["route", "filterRoute", "text"],
  ["status", "filterStatus", "number"],
  ["since", "filterSince", "datetime-local"],
  ["until", "filterUntil", "datetime-local"],
] as const;

/** AdminAudit browses the audit log, newest first, with filters. */
export default function AdminAudit() {
  const t = useTranslations("admin");
  const f = useFormatter();
  const describe = useDescribeProblem();
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (qs: string, after?: string) => {
      try {
        const r = await api<List<AuditEntry>>(`/admin/audit?limit=50${qs}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
        setRows((cur) => (after ? [...cur, ...(r.data ?? [])] : (r.data ?? [])));
        setCursor(r.next_cursor);
        setError(null);
      } catch (e) {
        setError(describe(e instanceof ApiError ? e.problem : null));
      }
    },
    [describe],
  );
  useEffect(() => {
    const tm = setTimeout(() => void load(filter), 0);
    return () => clearTimeout(tm);
  }, [filter, load]);

  return (
    <main id="main" className="space-y-6">
      <PageHeader title={t("audit")} lead={t("auditLead")} />
      <form
        className="grid grid-cols-2 gap-3 rounded-xl border border-border bg-surface p-4 sm:grid-cols-3 lg:grid-cols-[repeat(6,minmax(0,1fr))_auto] lg:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          let qs = "";
          for (const [name, , type] of FILTERS) {
            const v = String(fd.get(name) ?? "").trim();
            if (!v) continue;
            qs += `&${name}=${encodeURIComponent(type === "datetime-local" ? new Date(v).toISOString() : v)}`;
          }
          setFilter(qs);
        }}
      >
        {FILTERS.map(([name, label, type]) => (
          <Field key={name}>
            <Label htmlFor={`f-${name}`} className="text-xs">
              {t(label)}
            </Label>
            <Input id={`f-${name}`} name={name} type={type} className="h-8 bg-background" />
          </Field>
        ))}
        <Button type="submit" size="sm" className="col-span-2 sm:col-span-1">
          <Filter aria-hidden />
          {t("filter")}
        </Button>
      </form>
      {error && (
        <Alert role="alert" tone="danger">
          {error}
        </Alert>
      )}
      <Table data-testid="audit-table">
        <caption className="sr-only">{t("auditCaption")}</caption>
        <thead>
          <tr>
            <Th scope="col">{t("colTime")}</Th>
            <Th scope="col">{t("colUser")}</Th>
            <Th scope="col">{t("colAction")}</Th>
            <Th scope="col">{t("colRoute")}</Th>
            <Th scope="col">{t("colStatus")}</Th>
            <Th scope="col">{t("colClient")}</Th>
            <Th scope="col">{t("colRequestId")}</Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <Td className="whitespace-nowrap tabular-nums">{f.dateTime(new Date(e.at), { dateStyle: "short", timeStyle: "medium" })}</Td>
              <Td>
                <code className="whitespace-nowrap font-mono text-xs">{e.user_id ?? t("anonymous")}</code>
              </Td>
              <Td>{e.action}</Td>
              <Td className="whitespace-nowrap font-mono text-xs" dir="ltr">
                {e.route.startsWith(`${e.method} `) ? e.route : `${e.method} ${e.route}`}
              </Td>
              <Td className="tabular-nums">{e.status}</Td>
              <Td data-testid="audit-client" className="font-mono text-xs">{e.client_ip}</Td>
              <Td>
                <code className="whitespace-nowrap font-mono text-xs">{e.request_id}</code>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {cursor && (
        <Button variant="outline" onClick={() => void load(filter, cursor)}>
          {t("loadMore")}
        </Button>
      )}
    </main>
  );
}

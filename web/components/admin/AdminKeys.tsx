"use client";
import { KeyRound } from "lucide-react";
import { useFormatter, useTranslations } from "next-intl";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge, toneOf } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import PageHeader from "@/components/shell/PageHeader";
import { api, ApiError } from "@/lib/client";
import { useDescribeProblem } from "@/lib/problems-client";
import type { PoolKey } from "@/lib/types";

function budget(rem: number | null, lim: number | null): string {
  if (rem == null && lim == null) return "—";
  return `${rem ?? "?"} / ${lim ?? "?"}`;
}

/** AdminKeys shows the Groq key pool: fingerprint, org, state, per-model budgets, cooldowns and resets. */
export default function AdminKeys() {
  const t = useTranslations("admin");
  const f = useFormatter();
  const describe = useDescribeProblem();
  const [keys, setKeys] = useState<PoolKey[] | null>(null);
  const [summary, setSummary] = useState<Record<string, number> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const r = await api<{ data: PoolKey[]; summary?: Record<string, number> }>("/admin/keys");
      setKeys(r.data ?? []);
      setSummary(r.summary ?? null);
      setError(null);
    } catch (e) {
      setError(describe(e instanceof ApiError ? e.problem : null));
    }
  }, [describe]);
  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    const iv = setInterval(() => void load(), 10_000);
    return () => {
      clearTimeout(first);
      clearInterval(iv);
    };
  }, [load]);
  const when = (s: string | null | undefined) => (s ? f.dateTime(new Date(s), { timeStyle: "medium" }) : "—");
  return (
    <main id="main" className="space-y-6">
      <PageHeader title={t("keys")} lead={t("keysLead")}>
        {summary && (
          <p data-testid="pool-summary" className="flex flex-wrap gap-2">
            {Object.entries(summary).map(([k, v]) => (
              <Badge key={k} tone={toneOf(k)}>
                {`${v} ${k}`}
              </Badge>
            ))}
          </p>
        )}
      </PageHeader>
      {error && (
        <Alert role="alert" tone="danger">
          {error}
        </Alert>
      )}
      {keys && keys.length === 0 && <Alert tone="warn">{t("noKeys")}</Alert>}
      {keys?.map((k) => (
        <Card key={k.fingerprint} data-testid="pool-key" aria-label={t("keyLabel", { fp: k.fingerprint })}>
          <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold">
            <KeyRound className="size-4 text-muted-foreground" aria-hidden />
            <code className="font-mono">{k.fingerprint}</code> <Badge tone={toneOf(k.state)}>{k.state}</Badge>
          </h2>
          <p className="mt-1 text-sm text-muted-foreground">
            {t("org")} <code className="font-mono text-foreground">{k.org || t("unknown")}</code> ({k.org_source})
            {k.cooldown_until && <> · {t("coolingUntil", { time: when(k.cooldown_until) })}</>}
            {k.dead_reason && <> · {k.dead_reason}</>}
          </p>
          {k.budgets?.length > 0 && (
            <div className="mt-4">
              <Table>
                <caption className="sr-only">{t("budgetsOf", { fp: k.fingerprint })}</caption>
                <thead>
                  <tr>
                    <Th scope="col">{t("colModel")}</Th>
                    <Th scope="col">{t("colRequestsLeft")}</Th>
                    <Th scope="col">{t("colRequestsReset")}</Th>
                    <Th scope="col">{t("colTokensLeft")}</Th>
                    <Th scope="col">{t("colTokensReset")}</Th>
                    <Th scope="col">{t("colCooling")}</Th>
                  </tr>
                </thead>
                <tbody>
                  {k.budgets.map((b) => (
                    <tr key={b.model}>
                      <Td className="whitespace-nowrap font-mono text-xs" dir="ltr">{b.model}</Td>
                      <Td className="tabular-nums">{budget(b.requests_remaining, b.requests_limit)}</Td>
                      <Td className="tabular-nums">{when(b.requests_reset_at)}</Td>
                      <Td className="tabular-nums">{budget(b.tokens_remaining, b.tokens_limit)}</Td>
                      <Td className="tabular-nums">{when(b.tokens_reset_at)}</Td>
                      <Td className="tabular-nums">{when(b.cooling_until)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </div>
          )}
        </Card>
      ))}
    </main>
  );
}

import { Activity, CircleAlert, CircleCheck, TriangleAlert } from "lucide-react";
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import PageHeader from "@/components/shell/PageHeader";
import { Alert } from "@/components/ui/alert";
import { Badge, toneOf } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { apiGet } from "@/lib/server";
import type { Status } from "@/lib/types";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("status"))("title") };
}

const ICON = { operational: CircleCheck, degraded: TriangleAlert, outage: CircleAlert } as const;

/** The public status page: each component's state and recent incidents, from GET /api/v1/status. Times are in UTC. */
export default async function StatusPage() {
  const [t, f, r] = await Promise.all([getTranslations("status"), getFormatter(), apiGet<Status>("/api/v1/status", { auth: false })]);
  const s = r.data;
  const utc = (iso: string) => f.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
  const up = (sec: number) => {
    const d = Math.floor(sec / 86400);
    const h = Math.floor((sec % 86400) / 3600);
    const m = Math.floor((sec % 3600) / 60);
    return d ? t("uptimeDays", { d, h }) : h ? t("uptimeHours", { h, m }) : t("uptimeMinutes", { m });
  };
  const Icon = s ? ICON[s.status] : CircleAlert;
  return (
    <main id="main" className="mx-auto w-full max-w-3xl px-4 py-8 sm:py-10">
      <PageHeader title={t("title")} lead={t("lead")} />
      {!s ? (
        <Alert tone="danger" role="alert" data-testid="status-overall">
          {t("down", { status: r.status })}
        </Alert>
      ) : (
        <div className="space-y-6">
          <Card className="flex items-center gap-4">
            <span className={`flex size-11 shrink-0 items-center justify-center rounded-full ${s.status === "operational" ? "bg-ok-soft text-ok" : s.status === "degraded" ? "bg-warn-soft text-warn" : "bg-danger-soft text-danger"}`}>
              <Icon className="size-6" aria-hidden />
            </span>
            <p data-testid="status-overall" className="text-sm text-muted-foreground">
              <span className="block text-lg font-semibold text-foreground">{t(`overall_${s.status}`)}</span>
              {t("overall")} <Badge tone={toneOf(s.status)}>{s.status}</Badge> · {t("up", { time: up(s.uptime_seconds) })}
            </p>
          </Card>
          <Card aria-labelledby="components-h" className="p-0 sm:p-0">
            <h2 id="components-h" className="flex items-center gap-2 border-b border-border px-5 py-3 text-base font-semibold">
              <Activity className="size-4 text-muted-foreground" aria-hidden />
              {t("components")}
            </h2>
            <ul className="divide-y divide-border">
              {s.components.map((c) => (
                <li key={c.name} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 px-5 py-3">
                  <span className="font-medium">{t.has(`component_${c.name}`) ? t(`component_${c.name}`) : c.name}</span>
                  <span className="flex min-w-0 items-center gap-3">
                    {c.detail && <span className="truncate text-sm text-muted-foreground">{c.detail}</span>}
                    <Badge tone={toneOf(c.status)}>{c.status}</Badge>
                  </span>
                </li>
              ))}
            </ul>
          </Card>
          <section aria-labelledby="incidents-h">
            <h2 id="incidents-h" className="mb-3 text-base font-semibold">
              {t("incidents")}
            </h2>
            {s.incidents.length === 0 ? (
              <p className="rounded-xl border border-dashed border-border px-5 py-6 text-center text-sm text-muted-foreground">{t("noIncidents")}</p>
            ) : (
              <ul className="space-y-3">
                {s.incidents.map((i) => (
                  <li key={i.id} className="rounded-xl border border-border p-4">
                    <p className="font-medium">{i.title}</p>
                    <p className="mt-1 text-sm text-muted-foreground">
                      {i.component} · {i.status} · {t("started", { time: utc(i.started_at) })}
                      {i.resolved_at ? ` · ${t("resolved", { time: utc(i.resolved_at) })}` : ` · ${t("ongoing")}`}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </main>
  );
}

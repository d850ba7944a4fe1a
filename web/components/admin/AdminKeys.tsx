"use client";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "@/lib/client";
import { describeProblem } from "@/lib/problems";
import type { PoolKey } from "@/lib/types";

function when(t: string | null | undefined): string {
  return t ? new Date(t).toLocaleTimeString() : "—";
}

function budget(rem: number | null, lim: number | null): string {
  if (rem == null && lim == null) return "—";
  return `${rem ?? "?"} / ${lim ?? "?"}`;
}

/** AdminKeys shows the Groq key pool: fingerprint, org, state, per-model budgets, cooldowns and resets. */
export default function AdminKeys() {
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
      setError(describeProblem(e instanceof ApiError ? e.problem : null));
    }
  }, []);
  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    const t = setInterval(() => void load(), 10_000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [load]);
  return (
    <main id="main">
      <h1>Key pool</h1>
      <p className="muted">Groq keys are shown only by fingerprint. Refreshes every 10 seconds.</p>
      {summary && (
        <p data-testid="pool-summary">
          {Object.entries(summary)
            .map(([k, v]) => `${v} ${k}`)
            .join(" · ")}
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      {keys && keys.length === 0 && <p className="notice">No Groq keys are configured (PARLEY_GROQ_API_KEYS).</p>}
      {keys?.map((k) => (
        <section className="card" key={k.fingerprint} data-testid="pool-key" aria-label={`Key ${k.fingerprint}`}>
          <h2>
            <code>{k.fingerprint}</code> <span className={`badge ${k.state}`}>{k.state}</span>
          </h2>
          <p>
            Org: <code>{k.org || "unknown"}</code> ({k.org_source})
            {k.cooldown_until && <> · cooling until {when(k.cooldown_until)}</>}
            {k.dead_reason && <> · {k.dead_reason}</>}
          </p>
          {k.budgets?.length > 0 && (
            <div className="table-wrap">
              <table>
                <caption className="skip">Budgets of {k.fingerprint}</caption>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Requests left</th>
                    <th scope="col">Requests reset</th>
                    <th scope="col">Tokens left</th>
                    <th scope="col">Tokens reset</th>
                    <th scope="col">Cooling until</th>
                  </tr>
                </thead>
                <tbody>
                  {k.budgets.map((b) => (
                    <tr key={b.model}>
                      <td>{b.model}</td>
                      <td>{budget(b.requests_remaining, b.requests_limit)}</td>
                      <td>{when(b.requests_reset_at)}</td>
                      <td>{budget(b.tokens_remaining, b.tokens_limit)}</td>
                      <td>{when(b.tokens_reset_at)}</td>
                      <td>{when(b.cooling_until)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </main>
  );
}

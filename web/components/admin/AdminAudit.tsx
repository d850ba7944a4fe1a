"use client";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "@/lib/client";
import { describeProblem } from "@/lib/problems";
import type { AuditEntry, List } from "@/lib/types";

const FILTERS = [
  ["user_id", "User id", "text"],
  ["action", "Action", "text"],
  ["route", "Route", "text"],
  ["status", "Status", "number"],
  ["since", "Since", "datetime-local"],
  ["until", "Until", "datetime-local"],
] as const;

/** AdminAudit browses the audit log, newest first, with filters. */
export default function AdminAudit() {
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (qs: string, after?: string) => {
    try {
      const r = await api<List<AuditEntry>>(`/admin/audit?limit=50${qs}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
      setRows((cur) => (after ? [...cur, ...(r.data ?? [])] : r.data ?? []));
      setCursor(r.next_cursor);
      setError(null);
    } catch (e) {
      setError(describeProblem(e instanceof ApiError ? e.problem : null));
    }
  }, []);
  useEffect(() => {
    const t = setTimeout(() => void load(filter), 0);
    return () => clearTimeout(t);
  }, [filter, load]);

  return (
    <main id="main">
      <h1>Audit log</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          let qs = "";
          for (const [name, , type] of FILTERS) {
            const v = String(f.get(name) ?? "").trim();
            if (!v) continue;
            qs += `&${name}=${encodeURIComponent(type === "datetime-local" ? new Date(v).toISOString() : v)}`;
          }
          setFilter(qs);
        }}
      >
        {FILTERS.map(([name, label, type]) => (
          <div key={name}>
            <label htmlFor={`f-${name}`}>{label}</label>
            <input id={`f-${name}`} name={name} type={type} />
          </div>
        ))}
        <button type="submit">Filter</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="table-wrap">
        <table data-testid="audit-table">
          <caption className="skip">Audit entries</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Route</th>
              <th scope="col">Status</th>
              <th scope="col">Client</th>
              <th scope="col">Request id</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>
                  <code>{e.user_id ?? "anonymous"}</code>
                </td>
                <td>{e.action}</td>
                <td>
                  {e.method} {e.route}
                </td>
                <td>{e.status}</td>
                <td data-testid="audit-client">{e.client_ip}</td>
                <td>
                  <code>{e.request_id}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" onClick={() => void load(filter, cursor)}>
          Load more
        </button>
      )}
    </main>
  );
}

"use client";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "@/lib/client";
import { describeProblem } from "@/lib/problems";
import type { List, User } from "@/lib/types";

/** AdminUsers lists users and changes their role, daily quota and disabled flag. */
export default function AdminUsers() {
  const [users, setUsers] = useState<User[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (query: string, after?: string) => {
    try {
      const r = await api<List<User>>(`/admin/users?limit=50${query ? `&q=${encodeURIComponent(query)}` : ""}${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
      setUsers((cur) => (after ? [...cur, ...r.data] : r.data));
      setCursor(r.next_cursor);
    } catch (e) {
      setError(describeProblem(e instanceof ApiError ? e.problem : null));
    }
  }, []);
  useEffect(() => {
    const t = setTimeout(() => void load(q), q ? 250 : 0);
    return () => clearTimeout(t);
  }, [q, load]);

  async function patch(u: User, body: Partial<Pick<User, "role" | "disabled" | "daily_token_quota">>) {
    try {
      const nu = await api<User>(`/admin/users/${u.id}`, { method: "PATCH", json: body });
      setUsers((us) => us.map((x) => (x.id === u.id ? nu : x)));
      setError(null);
    } catch (e) {
      setError(describeProblem(e instanceof ApiError ? e.problem : null));
    }
  }

  return (
    <main id="main">
      <h1>Users</h1>
      <label htmlFor="user-search">Search by email or name</label>
      <input id="user-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      {error && <p role="alert" className="error">{error}</p>}
      <div className="table-wrap">
        <table data-testid="users-table">
          <caption className="skip">Users</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Daily token quota</th>
              <th scope="col">Disabled</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => void patch(u, { role: e.target.value as User["role"] })}>
                    <option value="user">user</option>
                    <option value="admin">admin</option>
                  </select>
                </td>
                <td>
                  <form
                    className="row"
                    onSubmit={(e) => {
                      e.preventDefault();
                      const v = String(new FormData(e.currentTarget).get("quota") ?? "").trim();
                      void patch(u, { daily_token_quota: v === "" ? null : Number(v) });
                    }}
                  >
                    <input name="quota" type="number" min={0} placeholder="default" aria-label={`Daily token quota of ${u.email} (empty: default)`} defaultValue={u.daily_token_quota ?? ""} />
                    <button type="submit" aria-label={`Save quota of ${u.email}`}>
                      Save
                    </button>
                  </form>
                </td>
                <td>
                  <input type="checkbox" aria-label={`Disable ${u.email}`} checked={u.disabled} onChange={(e) => void patch(u, { disabled: e.target.checked })} />
                </td>
                <td>{new Date(u.created_at).toLocaleDateString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" onClick={() => void load(q, cursor)}>
          Load more
        </button>
      )}
      <Invites />
    </main>
  );
}

/** Invites creates invite codes for invite-only sign-up. */
function Invites() {
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="invite-h">
      <h2 id="invite-h">Invite someone</h2>
      <form
        className="row"
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
            setError(describeProblem(err instanceof ApiError ? err.problem : null));
          }
        }}
      >
        <div>
          <label htmlFor="invite_email">Email (optional)</label>
          <input id="invite_email" name="invite_email" type="email" />
        </div>
        <button type="submit">Create invite</button>
      </form>
      {code && (
        <p role="status">
          Invite code: <span className="secret">{code}</span>
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}

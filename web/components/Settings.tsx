"use client";
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "@/lib/client";
import { describeProblem } from "@/lib/problems";
import type { ApiToken, List, Usage, User } from "@/lib/types";

function errText(e: unknown): string {
  return describeProblem(e instanceof ApiError ? e.problem : null);
}

/** Settings holds the profile, password, personal API tokens and usage sections. */
export default function Settings({ user }: { user: User }) {
  return (
    <main id="main" className="page">
      <h1>Settings</h1>
      <Profile user={user} />
      <Password />
      <Tokens />
      <UsagePanel />
    </main>
  );
}

function Profile({ user }: { user: User }) {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <section className="card" aria-labelledby="profile-h">
      <h2 id="profile-h">Profile</h2>
      <p>
        Email: <strong>{user.email}</strong> · Role: {user.role}
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const name = String(new FormData(e.currentTarget).get("name") ?? "");
          try {
            await api<User>("/me", { method: "PATCH", json: { name } });
            setMsg({ ok: true, text: "Profile saved." });
          } catch (err) {
            setMsg({ ok: false, text: errText(err) });
          }
        }}
      >
        <label htmlFor="profile-name">Name</label>
        <div className="row">
          <input id="profile-name" name="name" defaultValue={user.name} autoComplete="name" />
          <button type="submit">Save profile</button>
        </div>
      </form>
      {msg && <p role="status" className={msg.ok ? "ok" : "error"}>{msg.text}</p>}
    </section>
  );
}

function Password() {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <section className="card" aria-labelledby="password-h">
      <h2 id="password-h">Password</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          try {
            await api<User>("/me", { method: "PATCH", json: { current_password: f.get("current_password"), password: f.get("new_password") } });
            form.reset();
            setMsg({ ok: true, text: "Password changed. You stay signed in here; your other sessions are signed out." });
          } catch (err) {
            setMsg({ ok: false, text: errText(err) });
          }
        }}
      >
        <label htmlFor="current_password">Current password</label>
        <input id="current_password" name="current_password" type="password" autoComplete="current-password" required />
        <label htmlFor="new_password">New password</label>
        <input id="new_password" name="new_password" type="password" autoComplete="new-password" minLength={8} required />
        <div>
          <button type="submit">Change password</button>
        </div>
      </form>
      {msg && <p role="status" className={msg.ok ? "ok" : "error"}>{msg.text}</p>}
    </section>
  );
}

function Tokens() {
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const r = await api<List<ApiToken> | ApiToken[]>("/tokens");
      setTokens(Array.isArray(r) ? r : r.data ?? []);
    } catch (err) {
      setError(errText(err));
    }
  }, []);
  useEffect(() => {
    const t = setTimeout(() => void load(), 0);
    return () => clearTimeout(t);
  }, [load]);
  return (
    <section className="card" aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      <p className="muted">Personal tokens for the OpenAI-compatible API at /v1. A token is shown once, when it is created.</p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const days = Number(f.get("expires_in_days") || 0);
          try {
            const t = await api<ApiToken>("/tokens", { method: "POST", json: { name: f.get("token_name"), ...(days > 0 ? { expires_in_days: days } : {}) } });
            setCreated(t);
            form.reset();
            setError(null);
            await load();
          } catch (err) {
            setError(errText(err));
          }
        }}
      >
        <div className="row">
          <div>
            <label htmlFor="token_name">Token name</label>
            <input id="token_name" name="token_name" required maxLength={100} />
          </div>
          <div>
            <label htmlFor="expires_in_days">Expires in days (empty: never)</label>
            <input id="expires_in_days" name="expires_in_days" type="number" min={1} max={3650} />
          </div>
          <button type="submit">Create token</button>
        </div>
      </form>
      {created?.token && (
        <div className="notice" role="status">
          <p>
            New token <strong>{created.name}</strong>. Copy it now: it will not be shown again.
          </p>
          <p className="secret" data-testid="new-token">
            {created.token}
          </p>
          <button type="button" onClick={() => void navigator.clipboard.writeText(created.token ?? "")}>
            Copy token
          </button>{" "}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      <div className="table-wrap">
        <table data-testid="token-table">
          <caption className="skip">Your API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="skip">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No tokens.
                </td>
              </tr>
            )}
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{new Date(t.created_at).toLocaleString()}</td>
                <td>{t.expires_at ? new Date(t.expires_at).toLocaleString() : "never"}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Revoke token ${t.name}`}
                    onClick={async () => {
                      try {
                        await api(`/tokens/${t.id}`, { method: "DELETE" });
                        await load();
                      } catch (err) {
                        setError(errText(err));
                      }
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function UsagePanel() {
  const [u, setU] = useState<Usage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Usage>("/usage").then(setU, (err) => setError(errText(err)));
  }, []);
  return (
    <section className="card" aria-labelledby="usage-h">
      <h2 id="usage-h">Usage today</h2>
      {error && <p className="error">{error}</p>}
      {u && (
        <>
          <p data-testid="usage-summary">
            {u.used.toLocaleString()} tokens used
            {u.quota != null ? ` of ${u.quota.toLocaleString()} (${(u.remaining ?? 0).toLocaleString()} left)` : " (no daily quota)"}. Resets at {new Date(u.resets_at).toLocaleString()}.
          </p>
          {u.quota != null && u.quota > 0 && (
            <progress max={u.quota} value={Math.min(u.used, u.quota)} aria-label="Share of the daily quota used" />
          )}
          <div className="table-wrap">
            <table>
              <caption className="skip">Usage by model</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Prompt tokens</th>
                  <th scope="col">Completion tokens</th>
                </tr>
              </thead>
              <tbody>
                {(u.by_model ?? []).map((m) => (
                  <tr key={m.model}>
                    <td>{m.model}</td>
                    <td>{m.requests}</td>
                    <td>{m.prompt_tokens}</td>
                    <td>{m.completion_tokens}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

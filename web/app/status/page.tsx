import type { Metadata } from "next";
import TopBar from "@/components/TopBar";
import { apiGet, currentUser } from "@/lib/server";
import type { Status } from "@/lib/types";

export const metadata: Metadata = { title: "Status" };

function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

/** The public status page: each component's state and recent incidents, from GET /api/v1/status. */
export default async function StatusPage() {
  const [user, r] = await Promise.all([currentUser(), apiGet<Status>("/api/v1/status", { auth: false })]);
  const s = r.data;
  return (
    <>
      <TopBar user={user} />
      <main id="main" className="page">
        <h1>Service status</h1>
        {!s ? (
          <p className="error" role="alert" data-testid="status-overall">
            The parley API is not answering (HTTP {r.status}). It may be starting or down.
          </p>
        ) : (
          <>
            <p data-testid="status-overall">
              Overall: <span className={`badge ${s.status}`}>{s.status}</span> · up {duration(s.uptime_seconds)}
            </p>
            <div className="table-wrap">
              <table>
                <caption className="skip">Components</caption>
                <thead>
                  <tr>
                    <th scope="col">Component</th>
                    <th scope="col">State</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {s.components.map((c) => (
                    <tr key={c.name}>
                      <td>{c.name}</td>
                      <td>
                        <span className={`badge ${c.status}`}>{c.status}</span>
                      </td>
                      <td>{c.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Recent incidents</h2>
            {s.incidents.length === 0 ? (
              <p>No incidents.</p>
            ) : (
              <ul>
                {s.incidents.map((i) => (
                  <li key={i.id}>
                    <strong>{i.title}</strong> ({i.component}, {i.status}) — started {new Date(i.started_at).toUTCString()}
                    {i.resolved_at ? `, resolved ${new Date(i.resolved_at).toUTCString()}` : ", ongoing"}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </main>
    </>
  );
}

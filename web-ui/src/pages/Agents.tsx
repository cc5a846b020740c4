import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/endpoints";
import type { Agent } from "../api/types";
import { Loading, Notice, Pagination, ago, fmtTime } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { useEvents } from "../events";

const short = (h: string | null) => (h ? h.slice(0, 12) : "—");

export function Agents() {
  const [page, setPage] = useState(0);
  const [networkId, setNetworkId] = useState("");
  const [online, setOnline] = useState("");
  const [drift, setDrift] = useState("");
  const networks = useAsync(() => api.networks({ size: 500, sort: "name,asc" }), []);
  const agents = useAsync(
    () => api.agents({ page, size: 50, networkId, online, drift }),
    [page, networkId, online, drift],
  );
  const [updates, setUpdates] = useState<Record<string, Agent>>({});
  useEvents(networkId || undefined, { onAgent: (a) => setUpdates((u) => ({ ...u, [a.id]: a })) });
  const netName = (id: string) => networks.data?.items.find((n) => n.id === id)?.name ?? id.slice(0, 8);
  return (
    <section>
      <h1>Agents</h1>
      <div className="filters">
        <label>
          Network
          <select value={networkId} onChange={(e) => (setPage(0), setNetworkId(e.target.value))}>
            <option value="">any</option>
            {networks.data?.items.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Presence
          <select value={online} onChange={(e) => (setPage(0), setOnline(e.target.value))}>
            <option value="">any</option>
            <option value="true">online</option>
            <option value="false">offline</option>
          </select>
        </label>
        <label>
          Drift
          <select value={drift} onChange={(e) => (setPage(0), setDrift(e.target.value))}>
            <option value="">any</option>
            <option value="true">drifted</option>
            <option value="false">in sync</option>
          </select>
        </label>
      </div>
      <Notice error={agents.error} />
      {agents.loading && !agents.data && <Loading />}
      {agents.data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Network</th>
                <th scope="col">Presence</th>
                <th scope="col">Version</th>
                <th scope="col">Last seen</th>
                <th scope="col">Revision (desired / applied)</th>
                <th scope="col">Config hash (desired / applied)</th>
                <th scope="col">Drift</th>
              </tr>
            </thead>
            <tbody>
              {agents.data.items.map((a0) => {
                const a = updates[a0.id] ?? a0;
                return (
                  <tr key={a.id}>
                    <td>
                      <Link to={`/networks/${a.networkId}/peers/${a.peerId}`}>{a.name}</Link>
                      {a.revokedAt && <span className="badge health-down">revoked</span>}
                    </td>
                    <td>{netName(a.networkId)}</td>
                    <td>
                      <span className={`badge ${a.online ? "health-good" : "health-unknown"}`}>
                        {a.online ? "online" : "offline"}
                      </span>
                    </td>
                    <td>{a.version ?? "—"}</td>
                    <td title={fmtTime(a.lastSeenAt)}>{ago(a.lastSeenAt)}</td>
                    <td>
                      {a.desiredRevision ?? "—"} / {a.appliedRevision ?? "—"}
                    </td>
                    <td>
                      <code title={a.desiredConfigHash ?? ""}>{short(a.desiredConfigHash)}</code> /{" "}
                      <code title={a.appliedConfigHash ?? ""}>{short(a.appliedConfigHash)}</code>
                    </td>
                    <td>
                      {a.drift ? <span className="badge health-degraded">drift</span> : <span className="badge health-good">in sync</span>}
                    </td>
                  </tr>
                );
              })}
              {agents.data.items.length === 0 && (
                <tr>
                  <td colSpan={8}>No agents match.</td>
                </tr>
              )}
            </tbody>
          </table>
          <Pagination page={agents.data.page} totalPages={agents.data.totalPages} totalItems={agents.data.totalItems} onPage={setPage} />
        </>
      )}
    </section>
  );
}

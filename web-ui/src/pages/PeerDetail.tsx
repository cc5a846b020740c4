import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../api/endpoints";
import type { Peer } from "../api/types";
import { LinkCharts } from "../components/LinkCharts";
import { Loading, Notice } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { DeviceConfig } from "./DeviceConfig";

export function PeerDetail() {
  const { networkId = "", peerId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const peer = useAsync(() => api.peer(networkId, peerId), [networkId, peerId]);
  const peers = useAsync(() => api.peers(networkId, { size: 500, sort: "name,asc" }), [networkId]);
  const others = (peers.data?.items ?? []).filter((p) => p.id !== peerId);
  const choose = (key: string) => (v: string) => setParams(v ? { [key]: v } : {}, { replace: true });

  const p = peer.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/networks">Networks</Link> / <Link to={`/networks/${networkId}`}>network</Link> /
      </p>
      <h1>{p ? `${p.name} (${p.kind.toLowerCase()})` : "Peer"}</h1>
      <Notice error={peer.error ?? peers.error} />
      {!p && peer.loading && <Loading />}
      {p && (
        <dl className="props">
          <dt>Tunnel addresses</dt>
          <dd>{[p.tunnelIpv4, p.tunnelIpv6].filter(Boolean).join(", ")}</dd>
          <dt>Public key</dt>
          <dd>
            <code>{p.publicKey}</code>
          </dd>
          <dt>Endpoint</dt>
          <dd>{p.endpoint ?? "—"}</dd>
          <dt>Enabled</dt>
          <dd>{p.enabled ? "yes" : "no"}</dd>
        </dl>
      )}
      {p?.kind === "DEVICE" && (
        <section aria-labelledby="cfg-h">
          <h2 id="cfg-h">Configuration</h2>
          <DeviceConfig networkId={networkId} peer={p} />
        </section>
      )}
      {p?.kind === "AGENT" && (
        <AgentStats networkId={networkId} peer={p} others={others} remote={params.get("remote") ?? ""} onRemote={choose("remote")} />
      )}
      {p?.kind === "DEVICE" && peers.data && (
        <DeviceStats
          networkId={networkId}
          peer={p}
          agents={others.filter((o) => o.kind === "AGENT")}
          via={params.get("via") ?? ""}
          onVia={choose("via")}
        />
      )}
    </section>
  );
}

/** An agent's own reports: its aggregate, or one of its links (to an agent or a device). */
function AgentStats({
  networkId,
  peer,
  others,
  remote,
  onRemote,
}: {
  networkId: string;
  peer: Peer;
  others: Peer[];
  remote: string;
  onRemote: (v: string) => void;
}) {
  return (
    <section aria-labelledby="stats-h">
      <h2 id="stats-h">Statistics</h2>
      <LinkCharts
        key={remote}
        networkId={networkId}
        agentPeerId={peer.id}
        remotePeerId={remote || undefined}
        controls={
          <label>
            Link
            <select value={remote} onChange={(e) => onRemote(e.target.value)}>
              <option value="">all links of {peer.name} (aggregate)</option>
              {others.map((o) => (
                <option key={o.id} value={o.id}>
                  to {o.name}
                  {o.kind === "DEVICE" ? " (device)" : ""}
                </option>
              ))}
            </select>
          </label>
        }
      />
    </section>
  );
}

/**
 * A device reports nothing itself: its statistics are what each agent it connects to reports of the link to it.
 * The operator picks the agent; the first one is shown by default.
 */
function DeviceStats({
  networkId,
  peer,
  agents,
  via,
  onVia,
}: {
  networkId: string;
  peer: Peer;
  agents: Peer[];
  via: string;
  onVia: (v: string) => void;
}) {
  const agent = agents.find((a) => a.id === via) ?? agents[0];
  return (
    <section aria-labelledby="stats-h">
      <h2 id="stats-h">Statistics</h2>
      {!agent ? (
        <p>No agent in this network reports on this device yet.</p>
      ) : (
        <LinkCharts
          key={agent.id}
          networkId={networkId}
          agentPeerId={agent.id}
          remotePeerId={peer.id}
          controls={
            <label>
              As seen by agent
              <select value={agent.id} onChange={(e) => onVia(e.target.value)}>
                {agents.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
          }
        />
      )}
    </section>
  );
}

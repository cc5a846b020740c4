import { Link } from "react-router";
import { api } from "../api/endpoints";
import type { Network } from "../api/types";
import { Loading, Notice } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { attentionReasons } from "../stats";
import { loadSnapshot, type NetworkSnapshot } from "../snapshot";
import { errorMessage } from "../api/client";
import { meshApi, type RolloutInState } from "../api/mesh";

interface Attention {
  key: string;
  /** Where the item links to. */
  to: string;
  what: string;
  reasons: string[];
}

/** Overview of at most this many networks (each costs a few requests). */
const MAX_NETWORKS = 20;

async function loadOverview() {
  const networks = await api.networks({ size: MAX_NETWORKS, sort: "name,asc" });
  const [snaps, paused] = await Promise.all([
    Promise.all(networks.items.map((n) => loadSnapshot(n.id).then((s) => [n, s] as const))),
    // Across every network, not only the ones shown: a paused rollout always needs attention.
    meshApi.rolloutsInState("PAUSED").then(
      ({ items }) => ({ items, error: null as string | null }),
      (e) => ({ items: [] as RolloutInState[], error: errorMessage(e) }),
    ),
  ]);
  return { networks, snaps, paused };
}

function attention(n: Network, s: NetworkSnapshot): Attention[] {
  const out: Attention[] = [];
  const name = (id: string) => s.peers.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  for (const a of s.agents) {
    if (a.drift)
      out.push({
        key: `drift:${a.id}`,
        to: `/networks/${n.id}/peers/${a.peerId}`,
        what: `${a.name} (${n.name})`,
        reasons: [`config drift: applied revision ${a.appliedRevision ?? "none"} of ${a.desiredRevision ?? "?"}`],
      });
  }
  for (const [key, sample] of s.links) {
    const reasons = attentionReasons(sample, s.loadedAt);
    if (!reasons.length) continue;
    const [from, to] = key.split(">");
    out.push({ key, to: `/networks/${n.id}/peers/${from}?remote=${to}`, what: `${name(from)} → ${name(to)} (${n.name})`, reasons });
  }
  return out;
}

export function Overview() {
  const { data, error, loading } = useAsync(loadOverview, []);
  const agents = data?.snaps.flatMap(([, s]) => s.agents) ?? [];
  const online = agents.filter((a) => a.online && !a.revokedAt).length;
  const agentsError = data?.snaps.find(([, s]) => s.agentsError)?.[1].agentsError;
  const linksError = data?.snaps.find(([, s]) => s.linksError)?.[1].linksError;
  const items: Attention[] = [
    ...(data?.paused.items ?? []).map(({ networkName, meshName, rollout }) => ({
      key: `rollout:${rollout.id}`,
      to: `/meshes/${rollout.networkId}/${rollout.meshId}?rollout=${rollout.id}`,
      what: `Rollout of mesh ${meshName} (${networkName})`,
      reasons: [`paused in wave ${rollout.currentWave} (of waves 0–${rollout.waveCount - 1})${rollout.reason ? `: ${rollout.reason}` : ""}`],
    })),
    ...(data?.snaps.flatMap(([n, s]) => attention(n, s)) ?? []),
  ];
  const rolloutsError = data?.paused.error;
  return (
    <section>
      <h1>Overview</h1>
      <Notice
        error={error}
        message={
          [
            agentsError && `Agent data unavailable: ${agentsError}`,
            linksError && `Link statistics unavailable: ${linksError}`,
            rolloutsError && `Rollout data unavailable: ${rolloutsError}`,
          ]
            .filter(Boolean)
            .join(" ") || null
        }
      />
      {loading && !data && <Loading what="Loading overview" />}
      {data && (
        <>
          <div className="tiles">
            <div className="tile"><span className="num" data-testid="count-networks">{data.networks.totalItems}</span> networks</div>
            <div className="tile"><span className="num">{data.snaps.reduce((t, [, s]) => t + s.sites.length, 0)}</span> sites</div>
            <div className="tile"><span className="num">{data.snaps.reduce((t, [, s]) => t + s.peers.length, 0)}</span> peers</div>
            <div className="tile"><span className="num">{agentsError ? "—" : online}</span> agents online</div>
            <div className="tile"><span className="num">{agentsError ? "—" : agents.length - online}</span> agents offline</div>
          </div>
          <h2>Needs attention</h2>
          {items.length === 0 ? (
            <p>Nothing needs attention.</p>
          ) : (
            <ul className="attention">
              {items.map((i) => (
                <li key={i.key}>
                  <Link to={i.to}>{i.what}</Link>
                  : {i.reasons.join(", ")}
                </li>
              ))}
            </ul>
          )}
          <h2>Networks</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Network</th>
                <th scope="col">Sites</th>
                <th scope="col">Peers</th>
                <th scope="col">Agents online</th>
              </tr>
            </thead>
            <tbody>
              {data.snaps.map(([n, s]) => (
                <tr key={n.id}>
                  <td><Link to={`/networks/${n.id}`}>{n.name}</Link></td>
                  <td>{s.sites.length}</td>
                  <td>{s.peers.length}</td>
                  <td>{s.agents.filter((a) => a.online).length} / {s.agents.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

import { api } from "./api/endpoints";
import { errorMessage } from "./api/client";
import type { Agent, Peer, Site, StatsSample } from "./api/types";
import { linkHealth, type Health } from "./stats";

/** Everything the topology and overview need about one network. */
export interface NetworkSnapshot {
  sites: Site[];
  peers: Peer[];
  agents: Agent[];
  agentsError: string | null;
  /** key `${agentPeerId}>${remotePeerId}`: the reporting agent's latest view of that link. */
  links: Map<string, StatsSample | null>;
}

/** Bounds the per-link look-ups: a mesh of n agents has n(n-1) directed links. */
export const MAX_LINK_LOOKUPS = 400;

export async function loadSnapshot(networkId: string): Promise<NetworkSnapshot> {
  const [sites, peers, agentsResult] = await Promise.all([
    api.sites(networkId, { size: 500 }),
    api.peers(networkId, { size: 500 }),
    api.agents({ networkId, size: 500 }).then(
      (p) => ({ items: p.items, error: null as string | null }),
      (e) => ({ items: [] as Agent[], error: errorMessage(e) }),
    ),
  ]);
  const agentPeers = peers.items.filter((p) => p.kind === "AGENT");
  const pairs: [string, string][] = [];
  for (const a of agentPeers) for (const b of agentPeers) if (a.id !== b.id) pairs.push([a.id, b.id]);
  const links = new Map<string, StatsSample | null>();
  await Promise.all(
    pairs.slice(0, MAX_LINK_LOOKUPS).map(([a, b]) =>
      api.latestStats(networkId, a, b).then(
        (s) => links.set(`${a}>${b}`, s),
        () => links.set(`${a}>${b}`, null),
      ),
    ),
  );
  return { sites: sites.items, peers: peers.items, agents: agentsResult.items, agentsError: agentsResult.error, links };
}

export interface TopoNode {
  data: { id: string; label: string; parent?: string; kind: "site" | "agent" | "device"; online?: boolean };
}
export interface TopoEdge {
  data: { id: string; source: string; target: string; health: Health; label: string };
}

const worse: Record<Health, number> = { unknown: 0, good: 1, degraded: 2, down: 3 };

/**
 * Nodes: sites (compound), agents inside their site, devices. Edges: one per agent pair, coloured by the worse of the
 * two directions' latest health (unknown counts least); devices link to every agent they would reach.
 */
export function buildElements(s: NetworkSnapshot): (TopoNode | TopoEdge)[] {
  const out: (TopoNode | TopoEdge)[] = [];
  const online = new Map(s.agents.map((a) => [a.peerId, a.online]));
  for (const site of s.sites) out.push({ data: { id: `site:${site.id}`, label: site.name, kind: "site" } });
  const agents = s.peers.filter((p) => p.kind === "AGENT");
  for (const p of s.peers) {
    out.push({
      data: {
        id: p.id,
        label: p.name,
        kind: p.kind === "AGENT" ? "agent" : "device",
        parent: p.kind === "AGENT" && p.siteId ? `site:${p.siteId}` : undefined,
        online: online.get(p.id),
      },
    });
  }
  for (let i = 0; i < agents.length; i++) {
    for (let j = i + 1; j < agents.length; j++) {
      const a = agents[i];
      const b = agents[j];
      const ab = s.links.get(`${a.id}>${b.id}`);
      const ba = s.links.get(`${b.id}>${a.id}`);
      const ha = linkHealth(ab);
      const hb = linkHealth(ba);
      const health = worse[ha] >= worse[hb] ? ha : hb;
      const rtt = ab?.probeRttMs ?? ab?.handshakeRttMs ?? ba?.probeRttMs ?? ba?.handshakeRttMs;
      out.push({
        data: { id: `${a.id}~${b.id}`, source: a.id, target: b.id, health, label: rtt == null ? "" : `${Math.round(rtt)} ms` },
      });
    }
  }
  for (const d of s.peers.filter((p) => p.kind === "DEVICE" && p.enabled)) {
    for (const a of agents.filter((x) => x.endpoint)) {
      out.push({ data: { id: `${d.id}~${a.id}`, source: d.id, target: a.id, health: "unknown", label: "" } });
    }
  }
  return out;
}

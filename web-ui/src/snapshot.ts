import { api } from "./api/endpoints";
import { errorMessage } from "./api/client";
import type { Agent, LinkSample, Peer, Site, StatsSample } from "./api/types";
import { attentionReasons, linkFacts, linkHealth, type Health } from "./stats";

/** Everything the topology and overview need about one network. */
export interface NetworkSnapshot {
  sites: Site[];
  peers: Peer[];
  agents: Agent[];
  agentsError: string | null;
  /** key `${agentPeerId}>${remotePeerId}`: the reporting agent's latest view of that link. */
  links: Map<string, StatsSample | null>;
  linksError: string | null;
  /** When this was read (ms): link health ages from here. */
  loadedAt: number;
}

export async function loadSnapshot(networkId: string): Promise<NetworkSnapshot> {
  const settle = <T,>(p: Promise<T>, empty: T) =>
    p.then(
      (v) => ({ value: v, error: null as string | null }),
      (e) => ({ value: empty, error: errorMessage(e) }),
    );
  const [sites, peers, agents, links] = await Promise.all([
    api.sites(networkId, { size: 500 }),
    api.peers(networkId, { size: 500 }),
    settle(api.agents({ networkId, size: 500 }).then((p) => p.items), [] as Agent[]),
    // One request for every link (not one per agent pair); a failure leaves the links unknown, not the page broken.
    settle(api.linkStats(networkId).then((r) => r.links), [] as LinkSample[]),
  ]);
  return {
    sites: sites.items,
    peers: peers.items,
    agents: agents.value,
    agentsError: agents.error,
    links: new Map(links.value.map((l) => [`${l.agentPeerId}>${l.remotePeerId}`, l.sample])),
    linksError: links.error,
    loadedAt: Date.now(),
  };
}

export interface TopoNode {
  data: { id: string; label: string; parent?: string; kind: "site" | "agent" | "device"; online?: boolean };
}
export interface TopoEdge {
  data: {
    id: string;
    source: string;
    target: string;
    health: Health;
    /** The graph's edge label: the round-trip time, when known. */
    label: string;
    /** The same information as text, for the table (from the worse direction). */
    latency: string;
    loss: string;
    handshake: string;
    reasons: string;
  };
}

const worse: Record<Health, number> = { unknown: 0, good: 1, degraded: 2, down: 3 };

/** An edge over the given directions' samples, judged by the worse one (unknown counts least). */
function edge(id: string, source: string, target: string, samples: (StatsSample | null | undefined)[], now: number): TopoEdge {
  let pick: StatsSample | null | undefined = undefined;
  let health: Health = "unknown";
  for (const s of samples) {
    const h = linkHealth(s, now);
    if (pick === undefined || worse[h] > worse[health]) {
      pick = s;
      health = h;
    }
  }
  const facts = linkFacts(pick, now);
  return {
    data: {
      id,
      source,
      target,
      health,
      label: facts.latency === "—" ? "" : facts.latency,
      ...facts,
      reasons: attentionReasons(pick, now).join(", "),
    },
  };
}

/**
 * Nodes: sites (compound), agents inside their site, devices. Edges: one per agent pair, coloured by the worse of the
 * two directions' latest health; devices link to every agent they would reach (the agent's view of that link).
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
  const link = (from: string, to: string) => s.links.get(`${from}>${to}`);
  for (let i = 0; i < agents.length; i++) {
    for (let j = i + 1; j < agents.length; j++) {
      const a = agents[i].id;
      const b = agents[j].id;
      out.push(edge(`${a}~${b}`, a, b, [link(a, b), link(b, a)], s.loadedAt));
    }
  }
  for (const d of s.peers.filter((p) => p.kind === "DEVICE" && p.enabled)) {
    for (const a of agents.filter((x) => x.endpoint)) {
      out.push(edge(`${d.id}~${a.id}`, d.id, a.id, [link(a.id, d.id)], s.loadedAt));
    }
  }
  return out;
}

/**
 * Meshes and rollouts (controller/API.md "Meshes and rollouts"): hand-typed views and the calls the mesh pages make.
 * Kept apart from endpoints.ts because the mesh API is the newest part of the controller.
 */
import { request, requestTagged, withQuery } from "./client";

export type Topology = "FULL_MESH" | "HUB_AND_SPOKE" | "EXPLICIT";

export interface MeshMember {
  siteId: string;
  endpoint?: string | null;
  persistentKeepalive?: number | null;
  lanPrefixes?: string[] | null;
}

export interface MeshLink {
  siteA: string;
  siteB: string;
}

export interface Mesh {
  id: string;
  networkId: string;
  name: string;
  /** The latest spec revision (what a plan or rollout targets). */
  revision: number;
  /** The revision the last completed rollout reached (0 = never rolled out). */
  stableRevision: number;
  topology: Topology;
  hubs: string[];
  members: MeshMember[];
  links: MeshLink[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface MeshRequest {
  name: string;
  topology: Topology;
  hubs: string[];
  members: MeshMember[];
  links: MeshLink[];
}

export interface PeerChange {
  peerId: string;
  name: string;
  allowedIps?: string[];
  allowedIpsAdded?: string[];
  allowedIpsRemoved?: string[];
  endpoint?: string;
  endpointBefore?: string;
  persistentKeepalive?: number;
  persistentKeepaliveBefore?: number;
  presharedKey?: boolean;
  presharedKeyChanged?: boolean;
}

export interface AgentPlan {
  peerId: string;
  agentId: string | null;
  name: string;
  siteId: string | null;
  fromRevision: number;
  toRevision: number;
  peersAdded: PeerChange[];
  peersRemoved: PeerChange[];
  peersChanged: PeerChange[];
  routesAdded: string[];
  routesRemoved: string[];
}

export interface Drift {
  peerId: string;
  agentId: string;
  name: string;
  desiredConfigHash: string | null;
  appliedConfigHash: string | null;
}

export interface Plan {
  meshId: string;
  targetRevision: number;
  stableRevision: number;
  agentsChanged: number;
  agentsUnchanged: number;
  /** Hub sites' agents first: the rollout order. */
  agents: AgentPlan[];
  drift: Drift[];
}

export type RolloutState = "RUNNING" | "PAUSED" | "COMPLETED" | "ABORTED" | "ROLLING_BACK" | "ROLLED_BACK";
export type AgentStep = "PENDING" | "APPLIED" | "ACKED" | "HEALTHY" | "FAILED" | "REVERTING" | "REVERTED";

export interface RolloutAgent {
  peerId: string;
  step: AgentStep;
  resync: boolean;
  previousRevision?: number | null;
  detail?: string | null;
}

export interface Wave {
  index: number;
  agents: RolloutAgent[];
}

export interface Rollout {
  id: string;
  meshId: string;
  networkId: string;
  targetRevision: number;
  fromStableRevision: number;
  state: RolloutState;
  canarySize: number;
  waveSize: number;
  pauseSeconds: number;
  gateTimeoutSeconds: number;
  healthGates: boolean;
  waveCount: number;
  /** The wave in progress (0 = canary); waveCount once all passed. */
  currentWave: number;
  wavePhase?: string | null;
  waveStartedAt?: string | null;
  reason?: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string | null;
  /** Only in single-rollout answers. */
  waves?: Wave[];
}

export interface RolloutRequest {
  canarySize?: number;
  waveSize?: number;
  pauseSeconds?: number;
  gateTimeoutSeconds?: number;
  healthGates?: boolean;
  reconverge?: boolean;
}

export interface RolloutEvent {
  id: number;
  rolloutId: string;
  occurredAt: string;
  kind: string;
  wave?: number | null;
  peerId?: string | null;
  detail?: string | null;
}

export const ACTIVE_STATES: RolloutState[] = ["RUNNING", "PAUSED", "ROLLING_BACK"];
export const canPause = (s: RolloutState) => s === "RUNNING";
export const canResume = (s: RolloutState) => s === "PAUSED";
export const canAbort = (s: RolloutState) => s === "RUNNING" || s === "PAUSED";
/** The controller also refuses a finished rollout that is not the mesh's latest (409, shown as its message). */
export const canRollBack = (s: RolloutState) => s === "RUNNING" || s === "PAUSED" || s === "ABORTED" || s === "COMPLETED";

const m = (net: string, mesh?: string) =>
  `/api/v1/networks/${encodeURIComponent(net)}/meshes${mesh ? `/${encodeURIComponent(mesh)}` : ""}`;
const r = (net: string, mesh: string, rollout?: string) => `${m(net, mesh)}/rollouts${rollout ? `/${rollout}` : ""}`;

/** A rollout with the names of its network and mesh, from the list across networks. */
export interface RolloutInState {
  networkName: string;
  meshName: string;
  rollout: Rollout;
}

export const meshApi = {
  list: (net: string) => request<{ items: Mesh[] }>(m(net)),
  /** Rollouts in one state across every network (one request, however many networks and meshes exist). */
  rolloutsInState: (state: RolloutState) => request<{ items: RolloutInState[] }>(withQuery("/api/v1/rollouts", { state })),
  getTagged: (net: string, id: string) => requestTagged<Mesh>(m(net, id)),
  create: (net: string, body: MeshRequest) => request<Mesh>(m(net), { method: "POST", body }),
  update: (net: string, id: string, body: MeshRequest, ifMatch: string | null) =>
    request<Mesh>(m(net, id), { method: "PUT", body, ifMatch }),
  remove: (net: string, id: string, ifMatch: string | null) => request<void>(m(net, id), { method: "DELETE", ifMatch }),
  plan: (net: string, id: string) => request<Plan>(`${m(net, id)}/plan`, { method: "POST" }),

  rollouts: (net: string, mesh: string) => request<{ items: Rollout[] }>(r(net, mesh)),
  rollout: (net: string, mesh: string, id: string) => request<Rollout>(r(net, mesh, id)),
  startRollout: (net: string, mesh: string, body: RolloutRequest) =>
    request<Rollout>(r(net, mesh), { method: "POST", body }),
  events: (net: string, mesh: string, id: string, after = 0) =>
    request<{ items: RolloutEvent[] }>(withQuery(`${r(net, mesh, id)}/events`, { after })),
  streamUrl: (net: string, mesh: string, id: string) => `${r(net, mesh, id)}/stream`,
  pause: (net: string, mesh: string, id: string) => request<Rollout>(`${r(net, mesh, id)}/pause`, { method: "POST" }),
  resume: (net: string, mesh: string, id: string) => request<Rollout>(`${r(net, mesh, id)}/resume`, { method: "POST" }),
  abort: (net: string, mesh: string, id: string) => request<Rollout>(`${r(net, mesh, id)}/abort`, { method: "POST" }),
  rollback: (net: string, mesh: string, id: string) =>
    request<Rollout>(`${r(net, mesh, id)}/rollback`, { method: "POST" }),
};

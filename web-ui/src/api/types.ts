/** Hand-typed views of the controller's REST API (controller/API.md, /v3/api-docs). */

export type Role = "ADMIN" | "VIEWER";

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  totalItems: number;
  totalPages: number;
}

export interface Me {
  name: string;
  role: Role;
  via?: string;
}

export interface Network {
  id: string;
  name: string;
  ipv4Prefix: string;
  ipv6Prefix: string | null;
  mtu: number;
  dnsServers: string[];
  persistentKeepalive: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface NetworkRequest {
  name: string;
  ipv4Prefix: string;
  ipv6Prefix?: string | null;
  mtu?: number | null;
  dnsServers?: string[];
  persistentKeepalive?: number | null;
}

export interface Site {
  id: string;
  networkId: string;
  name: string;
  lanPrefixes: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SiteRequest {
  name: string;
  lanPrefixes: string[];
}

export type PeerKind = "AGENT" | "DEVICE";

export interface Peer {
  id: string;
  networkId: string;
  siteId: string | null;
  name: string;
  kind: PeerKind;
  publicKey: string;
  controllerHoldsPrivateKey: boolean;
  tunnelIpv4: string;
  tunnelIpv6: string | null;
  endpoint: string | null;
  listenPort: number | null;
  persistentKeepalive: number | null;
  enabled: boolean;
  expiresAt: string | null;
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PeerRequest {
  name: string;
  kind?: PeerKind;
  siteId?: string | null;
  publicKey?: string | null;
  endpoint?: string | null;
  listenPort?: number | null;
  persistentKeepalive?: number | null;
  enabled?: boolean;
  tags?: string[];
}

/** SYNC-CONVENTIONS.md, "Agents in the controller". */
export interface Agent {
  id: string;
  peerId: string;
  networkId: string;
  siteId: string | null;
  name: string;
  version: string | null;
  online: boolean;
  lastSeenAt: string | null;
  connectedTo: string | null;
  desiredRevision: number | null;
  appliedRevision: number | null;
  desiredConfigHash: string | null;
  appliedConfigHash: string | null;
  drift: boolean;
  revokedAt: string | null;
}

/** One stats sample of a link (or an agent's aggregate); null when unknown. Drop counters are cumulative. */
export interface StatsSample {
  ts: string;
  rxBytes?: number | null;
  txBytes?: number | null;
  rxBps?: number | null;
  txBps?: number | null;
  handshakeAgeS?: number | null;
  handshakeRttMs?: number | null;
  probeRttMs?: number | null;
  probeLoss?: number | null;
  queuePackets?: number | null;
  queueBytes?: number | null;
  sojournP50Ms?: number | null;
  sojournP99Ms?: number | null;
  sojournMaxMs?: number | null;
  dropsOverflow?: number | null;
  dropsCodel?: number | null;
  dropsNoRoute?: number | null;
  dropsReplay?: number | null;
  dropsAuth?: number | null;
  ecnMarks?: number | null;
}

/** GET /networks/{n}/stats/latest: each link's newest sample reported since {@code since}. */
export interface NetworkLinks {
  networkId: string;
  since: string;
  truncated: boolean;
  links: LinkSample[];
}

/** One link (reporting agent's peer → remote peer, agent or device) as that agent last reported it. */
export interface LinkSample {
  agentPeerId: string;
  remotePeerId: string;
  sample: StatsSample;
}

export interface StatsHistory {
  peerId: string;
  resolution: string;
  samples: StatsSample[];
}

export interface StatsEvent {
  agentPeerId: string;
  remotePeerId: string | null;
  sample: StatsSample;
}

export interface EnrolmentKey {
  id: string;
  networkId: string;
  siteId: string | null;
  name: string | null;
  reusable: boolean;
  usageLimit: number | null;
  useCount: number;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedEnrolmentKey {
  key: EnrolmentKey;
  secret: string;
  caFingerprint?: string;
  joinToken?: string;
}

export type TokenScope = "READ" | "WRITE";

export interface ApiToken {
  id: string;
  name: string;
  scope: TokenScope;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedApiToken {
  token: ApiToken;
  secret: string;
}

export interface AuditEvent {
  id: number;
  occurredAt: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details: unknown;
}

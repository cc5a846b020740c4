import { request, requestTagged } from "./client";
import type {
  Agent,
  ApiToken,
  AuditEvent,
  CreatedApiToken,
  CreatedEnrolmentKey,
  EnrolmentKey,
  Me,
  Network,
  NetworkRequest,
  Page,
  Peer,
  PeerRequest,
  Site,
  SiteRequest,
  NetworkLinks,
  StatsHistory,
  StatsSample,
  TokenScope,
} from "./types";

export interface ListQuery {
  page?: number;
  size?: number;
  sort?: string;
  [filter: string]: string | number | boolean | null | undefined;
}

/** The ETag of the version an edit is based on; null sends the write unconditionally. */
type IfMatch = string | null;

const n = (id: string) => `/api/v1/networks/${encodeURIComponent(id)}`;

export const api = {
  me: () => request<Me>("/api/v1/me"),
  login: (username: string, password: string) =>
    request<{ username: string; role: Me["role"] }>("/api/v1/auth/login", {
      method: "POST",
      body: { username, password },
      skipUnauthorizedHandler: true,
    }),
  logout: () => request<void>("/api/v1/auth/logout", { method: "POST" }),

  networks: (q: ListQuery = {}) => request<Page<Network>>("/api/v1/networks", { query: q }),
  network: (id: string) => request<Network>(n(id)),
  networkTagged: (id: string) => requestTagged<Network>(n(id)),
  createNetwork: (body: NetworkRequest) => request<Network>("/api/v1/networks", { method: "POST", body }),
  updateNetwork: (id: string, body: NetworkRequest, ifMatch: IfMatch) =>
    request<Network>(n(id), { method: "PUT", body, ifMatch }),
  deleteNetwork: (id: string, ifMatch: IfMatch) => request<void>(n(id), { method: "DELETE", ifMatch }),

  sites: (net: string, q: ListQuery = {}) => request<Page<Site>>(`${n(net)}/sites`, { query: q }),
  siteTagged: (net: string, id: string) => requestTagged<Site>(`${n(net)}/sites/${id}`),
  createSite: (net: string, body: SiteRequest) => request<Site>(`${n(net)}/sites`, { method: "POST", body }),
  updateSite: (net: string, id: string, body: SiteRequest, ifMatch: IfMatch) =>
    request<Site>(`${n(net)}/sites/${id}`, { method: "PUT", body, ifMatch }),
  deleteSite: (net: string, id: string, ifMatch: IfMatch) =>
    request<void>(`${n(net)}/sites/${id}`, { method: "DELETE", ifMatch }),

  peers: (net: string, q: ListQuery = {}) => request<Page<Peer>>(`${n(net)}/peers`, { query: q }),
  peer: (net: string, id: string) => request<Peer>(`${n(net)}/peers/${id}`),
  peerTagged: (net: string, id: string) => requestTagged<Peer>(`${n(net)}/peers/${id}`),
  createPeer: (net: string, body: PeerRequest) => request<Peer>(`${n(net)}/peers`, { method: "POST", body }),
  updatePeer: (net: string, id: string, body: PeerRequest, ifMatch: IfMatch) =>
    request<Peer>(`${n(net)}/peers/${id}`, { method: "PUT", body, ifMatch }),
  deletePeer: (net: string, id: string, ifMatch: IfMatch) =>
    request<void>(`${n(net)}/peers/${id}`, { method: "DELETE", ifMatch }),
  configUrl: (net: string, id: string) => `${n(net)}/peers/${id}/config`,
  qrUrl: (net: string, id: string) => `${n(net)}/peers/${id}/config.svg`,

  agents: (q: ListQuery = {}) => request<Page<Agent>>("/api/v1/agents", { query: q }),

  /** Every link's newest recent sample, in one request (overview, topology). */
  linkStats: (net: string) => request<NetworkLinks>(`${n(net)}/stats/latest`),
  latestStats: (net: string, peer: string, remotePeerId?: string) =>
    request<StatsSample>(`${n(net)}/peers/${peer}/stats/latest`, { query: { remotePeerId } }),
  stats: (net: string, peer: string, from: Date, to: Date, remotePeerId?: string, signal?: AbortSignal) =>
    request<StatsHistory>(`${n(net)}/peers/${peer}/stats`, {
      query: { from: from.toISOString(), to: to.toISOString(), remotePeerId },
      signal,
    }),

  enrolmentKeys: (net: string) => request<EnrolmentKey[]>(`${n(net)}/enrolment-keys`),
  createEnrolmentKey: (
    net: string,
    body: { name?: string; reusable?: boolean; usageLimit?: number | null; siteId?: string | null },
  ) => request<CreatedEnrolmentKey>(`${n(net)}/enrolment-keys`, { method: "POST", body }),
  revokeEnrolmentKey: (net: string, id: string) =>
    request<EnrolmentKey>(`${n(net)}/enrolment-keys/${id}`, { method: "DELETE" }),

  tokens: () => request<ApiToken[]>("/api/v1/tokens"),
  createToken: (body: { name: string; scope: TokenScope; expiresAt?: string | null }) =>
    request<CreatedApiToken>("/api/v1/tokens", { method: "POST", body }),
  revokeToken: (id: string) => request<ApiToken>(`/api/v1/tokens/${id}`, { method: "DELETE" }),

  audit: (q: ListQuery = {}) => request<Page<AuditEvent>>("/api/v1/audit", { query: q }),
};

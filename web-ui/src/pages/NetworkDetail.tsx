import { useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../api/endpoints";
import { errorMessage, etagOfVersion, isStaleEdit } from "../api/client";
import type { Peer, PeerKind, Site } from "../api/types";
import { useAuth } from "../auth";
import { PeerForm, SiteForm } from "../components/forms";
import { Dialog, Loading, Notice, Pagination } from "../components/ui";
import { TaggedEdit, staleDeleteMessage } from "../components/TaggedEdit";
import { useAsync } from "../components/useAsync";
import { EnrolmentKeys } from "./EnrolmentKeys";
import { DeviceConfig } from "./DeviceConfig";

export function NetworkDetail() {
  const { networkId = "" } = useParams();
  const network = useAsync(() => api.network(networkId), [networkId]);
  const sites = useAsync(() => api.sites(networkId, { size: 500, sort: "name,asc" }), [networkId]);
  return (
    <section>
      <p className="crumbs">
        <Link to="/networks">Networks</Link> /
      </p>
      <h1>{network.data?.name ?? "Network"}</h1>
      <Notice error={network.error} />
      {network.data && (
        <p className="meta">
          {network.data.ipv4Prefix}
          {network.data.ipv6Prefix ? `, ${network.data.ipv6Prefix}` : ""} · MTU {network.data.mtu} ·{" "}
          <Link to={`/topology?network=${networkId}`}>Topology</Link>
        </p>
      )}
      <Sites networkId={networkId} sites={sites.data?.items} error={sites.error} reload={sites.reload} />
      <Peers networkId={networkId} sites={sites.data?.items ?? []} />
      <EnrolmentKeys networkId={networkId} sites={sites.data?.items ?? []} />
    </section>
  );
}

function Sites({
  networkId,
  sites,
  error,
  reload,
}: {
  networkId: string;
  sites?: Site[];
  error: string | null;
  reload: () => void;
}) {
  const { canEdit } = useAuth();
  const [editing, setEditing] = useState<Site | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const remove = async (s: Site) => {
    if (!window.confirm(`Delete site ${s.name}?`)) return;
    try {
      await api.deleteSite(networkId, s.id, etagOfVersion(s.version));
      setMessage(`Site ${s.name} deleted.`);
      reload();
    } catch (e) {
      setActionError(isStaleEdit(e) ? staleDeleteMessage(`Site ${s.name}`) : errorMessage(e));
      if (isStaleEdit(e)) reload();
    }
  };
  const saved = (s: Site) => {
    setEditing(null);
    setMessage(`Site ${s.name} saved.`);
    reload();
  };
  return (
    <section aria-labelledby="sites-h">
      <div className="page-head">
        <h2 id="sites-h">Sites</h2>
        {canEdit && (
          <button type="button" onClick={() => setEditing("new")}>
            New site
          </button>
        )}
      </div>
      <Notice error={error ?? actionError} message={message} />
      {!sites && !error && <Loading />}
      {sites && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">LAN prefixes</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.lanPrefixes.join(", ") || "—"}</td>
                {canEdit && (
                  <td className="row-actions">
                    <button type="button" onClick={() => setEditing(s)} aria-label={`Edit site ${s.name}`}>
                      Edit
                    </button>
                    <button type="button" className="danger" onClick={() => void remove(s)} aria-label={`Delete site ${s.name}`}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
            {sites.length === 0 && (
              <tr>
                <td colSpan={3}>No sites.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {editing && (
        <Dialog title={editing === "new" ? "New site" : `Edit site ${editing.name}`} onClose={() => setEditing(null)}>
          {editing === "new" ? (
            <SiteForm save={(r) => api.createSite(networkId, r)} onSaved={saved} />
          ) : (
            <TaggedEdit load={() => api.siteTagged(networkId, editing.id)}>
              {(current, etag, again) => (
                <SiteForm
                  initial={current}
                  save={(r) => api.updateSite(networkId, current.id, r, etag)}
                  onSaved={saved}
                  onReload={again}
                />
              )}
            </TaggedEdit>
          )}
        </Dialog>
      )}
    </section>
  );
}

function Peers({ networkId, sites }: { networkId: string; sites: Site[] }) {
  const { canEdit } = useAuth();
  const [page, setPage] = useState(0);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"" | PeerKind>("");
  const [enabled, setEnabled] = useState("");
  const [siteId, setSiteId] = useState("");
  const [editing, setEditing] = useState<{ peer?: Peer; kind: PeerKind } | null>(null);
  const [created, setCreated] = useState<Peer | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const peers = useAsync(
    () => api.peers(networkId, { page, size: 20, sort: "name,asc", name, kind, enabled, siteId }),
    [networkId, page, name, kind, enabled, siteId],
  );
  const siteName = (id: string | null) => sites.find((s) => s.id === id)?.name ?? "—";
  const remove = async (p: Peer) => {
    if (!window.confirm(`Delete peer ${p.name}?`)) return;
    try {
      await api.deletePeer(networkId, p.id, etagOfVersion(p.version));
      setMessage(`Peer ${p.name} deleted.`);
      peers.reload();
    } catch (e) {
      setActionError(isStaleEdit(e) ? staleDeleteMessage(`Peer ${p.name}`) : errorMessage(e));
      if (isStaleEdit(e)) peers.reload();
    }
  };
  const saved = (wasNew: boolean) => (p: Peer) => {
    setEditing(null);
    setMessage(`Peer ${p.name} saved.`);
    peers.reload();
    if (wasNew && p.kind === "DEVICE") setCreated(p);
  };
  const filter = (set: (v: string) => void) => (v: string) => {
    setPage(0);
    set(v);
  };
  return (
    <section aria-labelledby="peers-h">
      <div className="page-head">
        <h2 id="peers-h">Peers</h2>
        {canEdit && (
          <div className="row-actions">
            <button type="button" onClick={() => setEditing({ kind: "DEVICE" })}>
              Add device peer
            </button>
            <button type="button" onClick={() => setEditing({ kind: "AGENT" })}>
              Add agent peer
            </button>
          </div>
        )}
      </div>
      <div className="filters">
        <label>
          Search <input type="search" value={name} onChange={(e) => filter(setName)(e.target.value)} placeholder="name" />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => filter((v) => setKind(v as "" | PeerKind))(e.target.value)}>
            <option value="">any</option>
            <option value="AGENT">agent</option>
            <option value="DEVICE">device</option>
          </select>
        </label>
        <label>
          State
          <select value={enabled} onChange={(e) => filter(setEnabled)(e.target.value)}>
            <option value="">any</option>
            <option value="true">enabled</option>
            <option value="false">disabled</option>
          </select>
        </label>
        <label>
          Site
          <select value={siteId} onChange={(e) => filter(setSiteId)(e.target.value)}>
            <option value="">any</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Notice error={peers.error ?? actionError} message={message} />
      {peers.loading && <Loading what="Loading peers" />}
      {peers.data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Tunnel address</th>
                <th scope="col">Site</th>
                <th scope="col">Enabled</th>
                <th scope="col">Tags</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {peers.data.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/networks/${networkId}/peers/${p.id}`}>{p.name}</Link>
                  </td>
                  <td>{p.kind}</td>
                  <td>
                    {p.tunnelIpv4}
                    {p.tunnelIpv6 ? ` ${p.tunnelIpv6}` : ""}
                  </td>
                  <td>{siteName(p.siteId)}</td>
                  <td>{p.enabled ? "yes" : "no"}</td>
                  <td>{p.tags.join(", ")}</td>
                  {canEdit && (
                    <td className="row-actions">
                      <button type="button" onClick={() => setEditing({ peer: p, kind: p.kind })} aria-label={`Edit peer ${p.name}`}>
                        Edit
                      </button>
                      <button type="button" className="danger" onClick={() => void remove(p)} aria-label={`Delete peer ${p.name}`}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
              {peers.data.items.length === 0 && (
                <tr>
                  <td colSpan={7}>No peers match.</td>
                </tr>
              )}
            </tbody>
          </table>
          <Pagination
            page={peers.data.page}
            totalPages={peers.data.totalPages}
            totalItems={peers.data.totalItems}
            onPage={setPage}
          />
        </>
      )}
      {editing && (
        <Dialog
          title={editing.peer ? `Edit peer ${editing.peer.name}` : editing.kind === "DEVICE" ? "Add device peer" : "Add agent peer"}
          onClose={() => setEditing(null)}
        >
          {editing.peer ? (
            <TaggedEdit load={() => api.peerTagged(networkId, editing.peer!.id)}>
              {(current, etag, again) => (
                <PeerForm
                  initial={current}
                  kind={current.kind}
                  sites={sites}
                  save={(r) => api.updatePeer(networkId, current.id, r, etag)}
                  onSaved={saved(false)}
                  onReload={again}
                />
              )}
            </TaggedEdit>
          ) : (
            <PeerForm kind={editing.kind} sites={sites} save={(r) => api.createPeer(networkId, r)} onSaved={saved(true)} />
          )}
        </Dialog>
      )}
      {created && (
        <Dialog title={`Configuration for ${created.name}`} onClose={() => setCreated(null)}>
          <DeviceConfig networkId={networkId} peer={created} />
        </Dialog>
      )}
    </section>
  );
}

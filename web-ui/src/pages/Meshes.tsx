import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/endpoints";
import { errorMessage, etagOfVersion, isStaleEdit } from "../api/client";
import { meshApi, type Mesh } from "../api/mesh";
import { useAuth } from "../auth";
import { MeshForm } from "../components/MeshForm";
import { TaggedEdit, staleDeleteMessage } from "../components/TaggedEdit";
import { Dialog, Loading, Notice } from "../components/ui";
import { useAsync } from "../components/useAsync";

const TOPOLOGY_TEXT = { FULL_MESH: "full mesh", HUB_AND_SPOKE: "hub and spoke", EXPLICIT: "explicit links" };

/** The site-to-site meshes of one network: list, create, edit, delete; each links to its plan and rollouts. */
export function Meshes() {
  const { canEdit } = useAuth();
  const [params, setParams] = useSearchParams();
  const networks = useAsync(() => api.networks({ size: 500, sort: "name,asc" }), []);
  const networkId = params.get("network") ?? networks.data?.items[0]?.id ?? "";
  const meshes = useAsync(() => (networkId ? meshApi.list(networkId) : Promise.resolve({ items: [] as Mesh[] })), [networkId]);
  const sites = useAsync(() => (networkId ? api.sites(networkId, { size: 500, sort: "name,asc" }) : Promise.resolve(null)), [networkId]);
  const [editing, setEditing] = useState<Mesh | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const siteList = sites.data?.items ?? [];

  const saved = (m: Mesh) => {
    setEditing(null);
    setMessage(`Mesh ${m.name} saved (revision ${m.revision}). Open it to plan and roll out the change.`);
    meshes.reload();
  };
  const remove = async (m: Mesh) => {
    if (!window.confirm(`Delete mesh ${m.name}? Its links are removed from the agents.`)) return;
    setActionError(null);
    try {
      await meshApi.remove(networkId, m.id, etagOfVersion(m.version));
      setMessage(`Mesh ${m.name} deleted.`);
      meshes.reload();
    } catch (e) {
      setActionError(isStaleEdit(e) ? staleDeleteMessage(`Mesh ${m.name}`) : errorMessage(e));
      if (isStaleEdit(e)) meshes.reload();
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Meshes</h1>
        <label>
          Network
          <select value={networkId} onChange={(e) => setParams({ network: e.target.value })}>
            {networks.data?.items.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        {canEdit && networkId && (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            New mesh
          </button>
        )}
      </div>
      <Notice error={networks.error ?? meshes.error ?? sites.error ?? actionError} message={message} />
      {networks.data && networks.data.items.length === 0 && <p>No networks yet.</p>}
      {meshes.loading && !meshes.data && <Loading what="Loading meshes" />}
      {meshes.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Topology</th>
              <th scope="col">Member sites</th>
              <th scope="col">Revision</th>
              <th scope="col">Rolled out</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {meshes.data.items.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link to={`/meshes/${networkId}/${m.id}`}>{m.name}</Link>
                </td>
                <td>{TOPOLOGY_TEXT[m.topology]}</td>
                <td>{m.members.map((x) => siteList.find((s) => s.id === x.siteId)?.name ?? x.siteId.slice(0, 8)).join(", ")}</td>
                <td>{m.revision}</td>
                <td>
                  {m.stableRevision === m.revision ? (
                    <span className="badge health-good">revision {m.stableRevision}</span>
                  ) : (
                    <span className="badge health-degraded">
                      {m.stableRevision ? `revision ${m.stableRevision}` : "never"}; {m.revision} pending
                    </span>
                  )}
                </td>
                {canEdit && (
                  <td className="row-actions">
                    <button type="button" onClick={() => setEditing(m)} aria-label={`Edit mesh ${m.name}`}>
                      Edit
                    </button>
                    <button type="button" className="danger" onClick={() => void remove(m)} aria-label={`Delete mesh ${m.name}`}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
            {meshes.data.items.length === 0 && (
              <tr>
                <td colSpan={6}>No meshes in this network.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {editing && (
        <Dialog title={editing === "new" ? "New mesh" : `Edit mesh ${editing.name}`} onClose={() => setEditing(null)}>
          {editing === "new" ? (
            <MeshForm sites={siteList} save={(r) => meshApi.create(networkId, r)} onSaved={saved} />
          ) : (
            <TaggedEdit load={() => meshApi.getTagged(networkId, editing.id)}>
              {(current, etag, again) => (
                <MeshForm
                  initial={current}
                  sites={siteList}
                  save={(r) => meshApi.update(networkId, current.id, r, etag)}
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

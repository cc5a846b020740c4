import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/endpoints";
import { errorMessage, etagOfVersion, isStaleEdit } from "../api/client";
import type { Network } from "../api/types";
import { useAuth } from "../auth";
import { NetworkForm } from "../components/forms";
import { Dialog, Loading, Notice, Pagination } from "../components/ui";
import { TaggedEdit, staleDeleteMessage } from "../components/TaggedEdit";
import { useAsync } from "../components/useAsync";

export function Networks() {
  const { canEdit } = useAuth();
  const [page, setPage] = useState(0);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Network | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { data, error, loading, reload } = useAsync(() => api.networks({ page, size: 20, sort: "name,asc" }), [page]);
  const items = (data?.items ?? []).filter((n) => n.name.toLowerCase().includes(search.toLowerCase()));

  const remove = async (n: Network) => {
    if (!window.confirm(`Delete network ${n.name}?`)) return;
    setActionError(null);
    try {
      await api.deleteNetwork(n.id, etagOfVersion(n.version));
      setMessage(`Network ${n.name} deleted.`);
      reload();
    } catch (e) {
      setActionError(isStaleEdit(e) ? staleDeleteMessage(`Network ${n.name}`) : errorMessage(e));
      if (isStaleEdit(e)) reload();
    }
  };

  const saved = (n: Network) => {
    setEditing(null);
    setMessage(`Network ${n.name} saved.`);
    reload();
  };

  return (
    <section>
      <div className="page-head">
        <h1>Networks</h1>
        {canEdit && (
          <button type="button" className="primary" onClick={() => setEditing("new")}>
            New network
          </button>
        )}
      </div>
      <div className="filters">
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name" />
        </label>
      </div>
      <Notice error={error ?? actionError} message={message} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">IPv4</th>
                <th scope="col">IPv6</th>
                <th scope="col">MTU</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((n) => (
                <tr key={n.id}>
                  <td>
                    <Link to={`/networks/${n.id}`}>{n.name}</Link>
                  </td>
                  <td>{n.ipv4Prefix}</td>
                  <td>{n.ipv6Prefix ?? "—"}</td>
                  <td>{n.mtu}</td>
                  {canEdit && (
                    <td className="row-actions">
                      <button type="button" onClick={() => setEditing(n)} aria-label={`Edit ${n.name}`}>
                        Edit
                      </button>
                      <button type="button" className="danger" onClick={() => void remove(n)} aria-label={`Delete ${n.name}`}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
              {items.length === 0 && (
                <tr>
                  <td colSpan={5}>No networks.</td>
                </tr>
              )}
            </tbody>
          </table>
          <Pagination page={data.page} totalPages={data.totalPages} totalItems={data.totalItems} onPage={setPage} />
        </>
      )}
      {editing && (
        <Dialog title={editing === "new" ? "New network" : `Edit ${editing.name}`} onClose={() => setEditing(null)}>
          {editing === "new" ? (
            <NetworkForm save={(r) => api.createNetwork(r)} onSaved={saved} />
          ) : (
            <TaggedEdit load={() => api.networkTagged(editing.id)}>
              {(current, etag, again) => (
                <NetworkForm
                  initial={current}
                  save={(r) => api.updateNetwork(current.id, r, etag)}
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

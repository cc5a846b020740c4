import { useState } from "react";
import { api } from "../api/endpoints";
import { Loading, Notice, Pagination, fmtTime } from "../components/ui";
import { useAsync } from "../components/useAsync";

export function Audit() {
  const [page, setPage] = useState(0);
  const [actor, setActor] = useState("");
  const [targetType, setTargetType] = useState("");
  const audit = useAsync(() => api.audit({ page, size: 50, actor, targetType }), [page, actor, targetType]);
  return (
    <section>
      <h1>Audit log</h1>
      <div className="filters">
        <label>
          Actor <input value={actor} onChange={(e) => (setPage(0), setActor(e.target.value))} />
        </label>
        <label>
          Target type <input value={targetType} onChange={(e) => (setPage(0), setTargetType(e.target.value))} placeholder="e.g. network" />
        </label>
      </div>
      <Notice error={audit.error} />
      {audit.loading && !audit.data && <Loading />}
      {audit.data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.items.map((e) => (
                <tr key={e.id}>
                  <td>{fmtTime(e.occurredAt)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>
                    {e.targetType} <code>{e.targetId?.slice(0, 8)}</code>
                  </td>
                  <td>
                    <details>
                      <summary>show</summary>
                      <pre>{JSON.stringify(e.details, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
              {audit.data.items.length === 0 && (
                <tr>
                  <td colSpan={5}>No entries.</td>
                </tr>
              )}
            </tbody>
          </table>
          <Pagination page={audit.data.page} totalPages={audit.data.totalPages} totalItems={audit.data.totalItems} onPage={setPage} />
        </>
      )}
    </section>
  );
}

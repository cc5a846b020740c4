import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../api/endpoints";
import { errorMessage } from "../api/client";
import { ACTIVE_STATES, meshApi, type Plan, type Rollout } from "../api/mesh";
import { useAuth } from "../auth";
import { PlanView } from "../components/PlanView";
import { RolloutProgress } from "../components/RolloutProgress";
import { RolloutWizard } from "../components/RolloutWizard";
import { Dialog, Loading, Notice, fmtTime } from "../components/ui";
import { useAsync } from "../components/useAsync";

/**
 * One mesh: what it is, its plan (the per-agent diff of rolling out the latest revision; computing it applies
 * nothing) and its rollouts, the active one followed live.
 */
export function MeshDetail() {
  const { networkId = "", meshId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const { canEdit } = useAuth();
  const mesh = useAsync(() => meshApi.getTagged(networkId, meshId).then((t) => t.body), [networkId, meshId]);
  const sites = useAsync(() => api.sites(networkId, { size: 500 }), [networkId]);
  const peers = useAsync(() => api.peers(networkId, { size: 500, kind: "AGENT" }), [networkId]);
  const rollouts = useAsync(() => meshApi.rollouts(networkId, meshId), [networkId, meshId]);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [planError, setPlanError] = useState<string | null>(null);
  const [planning, setPlanning] = useState(false);
  const [wizard, setWizard] = useState(false);

  const siteName = (id: string | null) => (id ? (sites.data?.items.find((s) => s.id === id)?.name ?? id.slice(0, 8)) : "—");
  const peerName = (id: string) => peers.data?.items.find((p) => p.id === id)?.name ?? id.slice(0, 8);
  const items = [...(rollouts.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const active = items.find((r) => ACTIVE_STATES.includes(r.state));
  const shownId = params.get("rollout") ?? active?.id ?? items[0]?.id;

  const computePlan = async () => {
    setPlanning(true);
    setPlanError(null);
    try {
      setPlan(await meshApi.plan(networkId, meshId));
    } catch (e) {
      setPlanError(errorMessage(e));
    } finally {
      setPlanning(false);
    }
  };
  const started = (r: Rollout) => {
    setWizard(false);
    setParams({ rollout: r.id }, { replace: true });
    rollouts.reload();
    mesh.reload();
  };
  // A rollout reaching an end changes the mesh's stable revision and the list.
  const onChanged = (r: Rollout) => {
    const known = rollouts.data?.items.find((x) => x.id === r.id);
    if (known && known.state !== r.state) {
      rollouts.reload();
      mesh.reload();
    }
  };

  const m = mesh.data;
  return (
    <section>
      <p className="crumbs">
        <Link to={`/meshes?network=${networkId}`}>Meshes</Link> /
      </p>
      <h1>{m ? `Mesh ${m.name}` : "Mesh"}</h1>
      <Notice error={mesh.error ?? sites.error ?? rollouts.error} />
      {!m && mesh.loading && <Loading />}
      {m && (
        <dl className="props">
          <dt>Topology</dt>
          <dd>{m.topology.toLowerCase().replace(/_/g, " ")}</dd>
          <dt>Member sites</dt>
          <dd>{m.members.map((x) => `${siteName(x.siteId)}${x.endpoint ? ` (${x.endpoint})` : ""}`).join(", ") || "—"}</dd>
          {m.topology === "HUB_AND_SPOKE" && (
            <>
              <dt>Hubs</dt>
              <dd>{m.hubs.map(siteName).join(", ")}</dd>
            </>
          )}
          {m.topology === "EXPLICIT" && (
            <>
              <dt>Links</dt>
              <dd>{m.links.map((l) => `${siteName(l.siteA)} ↔ ${siteName(l.siteB)}`).join(", ") || "—"}</dd>
            </>
          )}
          <dt>Revision</dt>
          <dd>
            {m.revision} (rolled out: {m.stableRevision || "never"})
          </dd>
        </dl>
      )}

      <section aria-labelledby="plan-h">
        <div className="page-head">
          <h2 id="plan-h">Plan</h2>
          {canEdit && (
            <div className="row-actions">
              <button type="button" onClick={() => void computePlan()} disabled={planning}>
                {planning ? "Planning…" : plan ? "Recompute plan" : "Compute plan"}
              </button>
              {plan && !active && (
                <button type="button" className="primary" onClick={() => setWizard(true)}>
                  Start rollout…
                </button>
              )}
            </div>
          )}
        </div>
        {!canEdit && <p>Computing a plan is an editor&apos;s action; the rollouts below show what was rolled out.</p>}
        {canEdit && !plan && !planError && <p>Compute the plan to see what rolling out revision {m?.revision ?? ""} changes on each agent. Nothing is applied.</p>}
        <Notice error={planError} />
        {plan && <PlanView plan={plan} siteName={siteName} />}
        {plan && active && <p>A rollout is in progress: wait for it to finish, or abort it, before starting another.</p>}
      </section>

      <section aria-labelledby="rollouts-h">
        <h2 id="rollouts-h">Rollouts</h2>
        {rollouts.loading && !rollouts.data && <Loading what="Loading rollouts" />}
        {shownId && (
          <RolloutProgress
            key={shownId}
            networkId={networkId}
            meshId={meshId}
            rolloutId={shownId}
            peerName={peerName}
            canEdit={canEdit}
            onChanged={onChanged}
          />
        )}
        {items.length === 0 && rollouts.data && <p>No rollouts yet.</p>}
        {items.length > 1 && (
          <table>
            <caption>All rollouts of this mesh</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Revision</th>
                <th scope="col">State</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} aria-current={r.id === shownId ? "true" : undefined}>
                  <td>
                    <Link to={`/meshes/${networkId}/${meshId}?rollout=${r.id}`}>{fmtTime(r.createdAt)}</Link>
                  </td>
                  <td>
                    {r.fromStableRevision || "none"} → {r.targetRevision}
                  </td>
                  <td>
                    <span className={`badge state-${r.state.toLowerCase()}`}>{r.state.toLowerCase().replace("_", " ")}</span>
                  </td>
                  <td>{r.createdBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {wizard && plan && (
        <Dialog title={`Roll out mesh ${m?.name ?? ""}`} onClose={() => setWizard(false)}>
          <RolloutWizard
            plan={plan}
            start={(body) => meshApi.startRollout(networkId, meshId, body)}
            onStarted={started}
            onCancel={() => setWizard(false)}
          />
        </Dialog>
      )}
    </section>
  );
}

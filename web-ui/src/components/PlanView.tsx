import type { AgentPlan, PeerChange, Plan } from "../api/mesh";

function changeText(c: PeerChange): string {
  const parts: string[] = [];
  if (c.allowedIpsAdded?.length) parts.push(`allowed IPs + ${c.allowedIpsAdded.join(", ")}`);
  if (c.allowedIpsRemoved?.length) parts.push(`allowed IPs − ${c.allowedIpsRemoved.join(", ")}`);
  if (c.endpoint !== undefined || c.endpointBefore !== undefined)
    parts.push(`endpoint ${c.endpointBefore ?? "none"} → ${c.endpoint ?? "none"}`);
  if (c.persistentKeepalive !== undefined || c.persistentKeepaliveBefore !== undefined)
    parts.push(`keepalive ${c.persistentKeepaliveBefore ?? "off"} → ${c.persistentKeepalive ?? "off"} s`);
  if (c.presharedKeyChanged) parts.push("preshared key changes");
  return parts.join("; ") || "changed";
}

function addedText(c: PeerChange): string {
  const parts = [c.allowedIps?.length ? `allowed IPs ${c.allowedIps.join(", ")}` : null, c.endpoint ? `endpoint ${c.endpoint}` : null];
  if (c.presharedKey) parts.push("with a preshared key");
  return parts.filter(Boolean).join("; ");
}

/** One agent's diff as a definition list: added, removed and changed peers, then routes. Never key material. */
function AgentDiff({ a }: { a: AgentPlan }) {
  return (
    <ul className="diff">
      {a.peersAdded.map((c) => (
        <li key={`+${c.peerId}`} className="diff-add">
          <span className="sr-only">added </span>
          <span aria-hidden="true">+ </span>peer <strong>{c.name}</strong> {addedText(c) && `(${addedText(c)})`}
        </li>
      ))}
      {a.peersRemoved.map((c) => (
        <li key={`-${c.peerId}`} className="diff-remove">
          <span className="sr-only">removed </span>
          <span aria-hidden="true">− </span>peer <strong>{c.name}</strong>
        </li>
      ))}
      {a.peersChanged.map((c) => (
        <li key={`~${c.peerId}`} className="diff-change">
          <span className="sr-only">changed </span>
          <span aria-hidden="true">~ </span>peer <strong>{c.name}</strong>: {changeText(c)}
        </li>
      ))}
      {a.routesAdded.map((r) => (
        <li key={`r+${r}`} className="diff-add">
          <span className="sr-only">added </span>
          <span aria-hidden="true">+ </span>route {r}
        </li>
      ))}
      {a.routesRemoved.map((r) => (
        <li key={`r-${r}`} className="diff-remove">
          <span className="sr-only">removed </span>
          <span aria-hidden="true">− </span>route {r}
        </li>
      ))}
    </ul>
  );
}

/**
 * The plan (nothing applied): what moving every agent to the target revision changes, per agent, in rollout order
 * (hub sites first), and the agents whose running config drifted from what the controller wants.
 */
export function PlanView({ plan, siteName }: { plan: Plan; siteName: (id: string | null) => string }) {
  return (
    <div className="plan" data-testid="plan">
      <p>
        Revision {plan.stableRevision || "none"} → <strong>{plan.targetRevision}</strong>:{" "}
        <span data-testid="plan-changed">{plan.agentsChanged}</span> agent{plan.agentsChanged === 1 ? "" : "s"} change,{" "}
        {plan.agentsUnchanged} unchanged.
      </p>
      {plan.agents.length === 0 ? (
        <p>No agent&apos;s configuration changes.</p>
      ) : (
        <table>
          <caption>Changes per agent, in rollout order</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Site</th>
              <th scope="col">Revision</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {plan.agents.map((a) => (
              <tr key={a.peerId} data-testid="plan-agent">
                <th scope="row">{a.name}</th>
                <td>{siteName(a.siteId)}</td>
                <td>
                  {a.fromRevision || "none"} → {a.toRevision}
                </td>
                <td>
                  <AgentDiff a={a} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {plan.drift.length > 0 && (
        <>
          <h3>Drifted agents</h3>
          <p>These agents run a configuration other than the one wanted; a rollout that reconverges re-sends it.</p>
          <ul>
            {plan.drift.map((d) => (
              <li key={d.peerId}>
                {d.name}: applied <code>{d.appliedConfigHash?.slice(0, 12) ?? "nothing"}</code>, wanted{" "}
                <code>{d.desiredConfigHash?.slice(0, 12) ?? "?"}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

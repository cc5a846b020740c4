import { useEffect, useRef, useState } from "react";
import { errorMessage } from "../api/client";
import {
  ACTIVE_STATES,
  canAbort,
  canPause,
  canResume,
  canRollBack,
  meshApi,
  type Rollout,
  type RolloutEvent,
  type RolloutState,
} from "../api/mesh";
import { Notice, fmtTime } from "./ui";

const STATE_TEXT: Record<RolloutState, string> = {
  RUNNING: "running",
  PAUSED: "paused",
  COMPLETED: "completed",
  ABORTED: "aborted",
  ROLLING_BACK: "rolling back",
  ROLLED_BACK: "rolled back",
};

/** Waves are numbered as the controller numbers them (its reasons and history say "wave 1"): from 0, the canary. */
const waveName = (i: number) => (i === 0 ? "Wave 0 (canary)" : `Wave ${i}`);

/** Keeps the waves of the previous answer when a new one has none (only single-rollout answers carry them). */
export function mergeRollout(prev: Rollout | null, next: Rollout): Rollout {
  return next.waves || !prev || prev.id !== next.id ? next : { ...next, waves: prev.waves };
}

/** Appends history entries in id order, once each (a reconnect may resend some). */
export function mergeEvents(prev: RolloutEvent[], more: RolloutEvent[], keep = 200): RolloutEvent[] {
  const byId = new Map(prev.map((e) => [e.id, e]));
  for (const e of more) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => a.id - b.id).slice(-keep);
}

/**
 * Live progress of one rollout: its state, each wave with every agent's step, the history, and the controls the
 * state allows (pause, resume, abort, roll back; editors only). Updates arrive over the rollout's event stream
 * ({@code rollout} = the rollout, {@code rollout-event} = one history entry); EventSource reconnects by itself and
 * resumes after the last entry it saw.
 */
export function RolloutProgress({
  networkId,
  meshId,
  rolloutId,
  peerName,
  canEdit,
  onChanged,
}: {
  networkId: string;
  meshId: string;
  rolloutId: string;
  peerName: (id: string) => string;
  canEdit: boolean;
  onChanged?: (r: Rollout) => void;
}) {
  const [rollout, setRollout] = useState<Rollout | null>(null);
  const [events, setEvents] = useState<RolloutEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = useRef(onChanged);
  changed.current = onChanged;

  useEffect(() => {
    let closed = false;
    meshApi
      .rollout(networkId, meshId, rolloutId)
      .then((r) => !closed && setRollout((p) => mergeRollout(p, r)))
      .catch((e) => !closed && setError(errorMessage(e)));
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(meshApi.streamUrl(networkId, meshId, rolloutId), { withCredentials: true });
    source.addEventListener("rollout", (m) => {
      try {
        const r = JSON.parse((m as MessageEvent).data as string) as Rollout;
        setRollout((p) => mergeRollout(p, r));
        changed.current?.(r);
      } catch {
        /* a malformed message is skipped; the next one carries the whole rollout again */
      }
    });
    source.addEventListener("rollout-event", (m) => {
      try {
        const e = JSON.parse((m as MessageEvent).data as string) as RolloutEvent;
        setEvents((p) => mergeEvents(p, [e]));
      } catch {
        /* skipped, see above */
      }
    });
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => {
      closed = true;
      source.close();
    };
  }, [networkId, meshId, rolloutId]);

  const act = async (what: "pause" | "resume" | "abort" | "rollback") => {
    if ((what === "abort" || what === "rollback") && !window.confirm(what === "abort" ? "Abort this rollout? Agents already updated keep the new revision." : "Roll back every agent this rollout touched to its previous revision?")) return;
    setBusy(true);
    setError(null);
    try {
      const r = await meshApi[what](networkId, meshId, rolloutId);
      setRollout((p) => mergeRollout(p, r));
      changed.current?.(r);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const r = rollout;
  const active = r ? ACTIVE_STATES.includes(r.state) : false;
  return (
    <section className="rollout" aria-labelledby={`rollout-${rolloutId}`} data-testid="rollout" data-state={r?.state}>
      <h3 id={`rollout-${rolloutId}`}>
        Rollout to revision {r?.targetRevision ?? "…"}{" "}
        {r && <span className={`badge state-${r.state.toLowerCase()}`} data-testid="rollout-state">{STATE_TEXT[r.state]}</span>}
      </h3>
      <Notice error={error} />
      {r && (
        <>
          <p role="status" aria-live="polite" data-testid="rollout-summary">
            {r.state === "COMPLETED"
              ? `All ${r.waveCount} waves passed; revision ${r.targetRevision} is stable.`
              : r.state === "ROLLED_BACK" || r.state === "ABORTED"
                ? `${STATE_TEXT[r.state][0].toUpperCase()}${STATE_TEXT[r.state].slice(1)}${r.reason ? `: ${r.reason}` : "."}`
                : `${waveName(Math.min(r.currentWave, r.waveCount - 1))} of waves 0–${r.waveCount - 1}${r.wavePhase ? `, ${r.wavePhase.toLowerCase().replace("_", " ")}` : ""}.${r.state === "PAUSED" && r.reason ? ` Paused: ${r.reason}` : ""}`}
            {active && live === false ? " Live updates interrupted; retrying." : ""}
          </p>
          <p className="meta">
            Canary {r.canarySize}, waves of {r.waveSize}, pause {r.pauseSeconds} s, gate timeout {r.gateTimeoutSeconds} s, health
            gates {r.healthGates ? "on" : "off"} · started by {r.createdBy} {fmtTime(r.createdAt)}
          </p>
          {canEdit && (
            <div className="row-actions" role="group" aria-label="Rollout controls">
              {canPause(r.state) && (
                <button type="button" disabled={busy} onClick={() => void act("pause")}>
                  Pause
                </button>
              )}
              {canResume(r.state) && (
                <button type="button" className="primary" disabled={busy} onClick={() => void act("resume")}>
                  Resume
                </button>
              )}
              {canAbort(r.state) && (
                <button type="button" disabled={busy} onClick={() => void act("abort")}>
                  Abort
                </button>
              )}
              {canRollBack(r.state) && (
                <button type="button" className="danger" disabled={busy} onClick={() => void act("rollback")}>
                  Roll back
                </button>
              )}
            </div>
          )}
          <ol className="waves">
            {(r.waves ?? []).map((w) => {
              const status = w.index < r.currentWave ? "passed" : w.index === r.currentWave && active ? "in progress" : "waiting";
              return (
                <li key={w.index} className={`wave wave-${status.replace(" ", "-")}`} data-testid="wave" data-status={status}>
                  <strong>{waveName(w.index)}</strong> <span className="meta">({status})</span>
                  <ul>
                    {w.agents.map((a) => (
                      <li key={a.peerId}>
                        {peerName(a.peerId)}{" "}
                        <span className={`badge step-${a.step.toLowerCase()}`} data-testid="agent-step">
                          {a.step.toLowerCase()}
                        </span>
                        {a.resync ? " (drift resync)" : ""}
                        {a.detail ? <span className="meta"> — {a.detail}</span> : null}
                      </li>
                    ))}
                  </ul>
                </li>
              );
            })}
          </ol>
          <details open={events.length > 0 && events.length < 30}>
            <summary>History ({events.length})</summary>
            <ol className="history" data-testid="rollout-history">
              {events.map((e) => (
                <li key={e.id}>
                  <time dateTime={e.occurredAt}>{new Date(e.occurredAt).toLocaleTimeString()}</time> {e.kind}
                  {e.wave != null ? ` (wave ${e.wave})` : ""}
                  {e.peerId ? ` ${peerName(e.peerId)}` : ""}
                  {e.detail ? `: ${e.detail}` : ""}
                </li>
              ))}
            </ol>
          </details>
        </>
      )}
    </section>
  );
}

import { useEffect, useRef, useState, type ReactNode } from "react";
import { api } from "../api/endpoints";
import { errorMessage } from "../api/client";
import type { StatsSample } from "../api/types";
import { useEvents } from "../events";
import { CHARTS, RANGES, appendLive, linkHealth } from "../stats";
import { Chart } from "./Chart";
import { Loading, Notice, ago } from "./ui";

/**
 * The live charts of what one agent reports: one link ({@code remotePeerId}) or, without it, the agent's aggregate.
 * History comes from the stats range query for the selected time range; live samples arrive over the network's
 * event stream. A single link's sample is appended as it comes; the aggregate is computed by the controller, so it
 * is re-read instead, at most once a second. {@code controls} go in the same row as the time range.
 */
export function LinkCharts({
  networkId,
  agentPeerId,
  remotePeerId,
  controls,
}: {
  networkId: string;
  agentPeerId: string;
  remotePeerId?: string;
  controls?: ReactNode;
}) {
  const [range, setRange] = useState(RANGES[0].seconds);
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [statsError, setStatsError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [live, setLive] = useState<boolean | null>(null);
  const [lastUpdate, setLastUpdate] = useState<string | null>(null);
  const reloadTimer = useRef<number | undefined>(undefined);
  const [reloadTick, setReloadTick] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    const to = new Date();
    const from = new Date(to.getTime() - range * 1000);
    setLoading(true);
    api
      .stats(networkId, agentPeerId, from, to, remotePeerId, ctrl.signal)
      .then((h) => {
        setSamples(h.samples);
        setStatsError(null);
      })
      .catch((e) => {
        if ((e as Error).name !== "AbortError") setStatsError(errorMessage(e));
      })
      .finally(() => setLoading(false));
    return () => ctrl.abort();
  }, [networkId, agentPeerId, remotePeerId, range, reloadTick]);

  useEvents(networkId, {
    onStatus: setLive,
    onStats: (e) => {
      if (e.agentPeerId !== agentPeerId) return;
      if (remotePeerId) {
        if (e.remotePeerId !== remotePeerId) return;
        setSamples((s) => appendLive(s, e.sample, range));
      } else {
        window.clearTimeout(reloadTimer.current);
        reloadTimer.current = window.setTimeout(() => setReloadTick((t) => t + 1), 1000);
      }
      setLastUpdate(e.sample.ts);
    },
  });
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  const latest = samples[samples.length - 1];
  const health = linkHealth(latest);
  return (
    <>
      <div className="filters">
        {controls}
        <label>
          Time range
          <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
            {RANGES.map((r) => (
              <option key={r.seconds} value={r.seconds}>
                last {r.label}
              </option>
            ))}
          </select>
        </label>
        <span className={`badge health-${health}`}>
          <span className="sr-only">Health: </span>
          {health}
        </span>
        <span role="status" aria-live="polite" className="live" data-testid="live-status">
          {live === null ? "connecting…" : live ? "live" : "live updates interrupted; retrying"}
          {lastUpdate ? ` · last sample ${ago(lastUpdate)}` : ""}
        </span>
      </div>
      <Notice error={statsError} />
      {loading && samples.length === 0 && <Loading what="Loading statistics" />}
      {!loading && !statsError && samples.length === 0 && <p>No samples in this range yet.</p>}
      <div className="charts" data-testid="charts" data-samples={samples.length}>
        {CHARTS.map((c) => (
          <Chart key={c.id} def={c} samples={samples} window={range} />
        ))}
      </div>
    </>
  );
}

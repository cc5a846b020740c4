import { useEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../api/endpoints";
import { errorMessage } from "../api/client";
import type { StatsSample } from "../api/types";
import { Chart } from "../components/Chart";
import { Loading, Notice, ago } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { useEvents } from "../events";
import { CHARTS, RANGES, appendLive, linkHealth } from "../stats";
import { DeviceConfig } from "./DeviceConfig";

export function PeerDetail() {
  const { networkId = "", peerId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const remote = params.get("remote") ?? "";
  const peer = useAsync(() => api.peer(networkId, peerId), [networkId, peerId]);
  const peers = useAsync(() => api.peers(networkId, { size: 500, kind: "AGENT" }), [networkId]);
  const others = (peers.data?.items ?? []).filter((p) => p.id !== peerId);
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
      .stats(networkId, peerId, from, to, remote || undefined, ctrl.signal)
      .then((h) => {
        setSamples(h.samples);
        setStatsError(null);
      })
      .catch((e) => {
        if ((e as Error).name !== "AbortError") setStatsError(errorMessage(e));
      })
      .finally(() => setLoading(false));
    return () => ctrl.abort();
  }, [networkId, peerId, remote, range, reloadTick]);

  useEvents(networkId, {
    onStatus: setLive,
    onStats: (e) => {
      if (e.agentPeerId !== peerId) return;
      if (remote) {
        if (e.remotePeerId !== remote) return;
        setSamples((s) => appendLive(s, e.sample, range));
        setLastUpdate(e.sample.ts);
      } else {
        // The aggregate over all links is computed by the controller: refetch, at most once a second.
        window.clearTimeout(reloadTimer.current);
        reloadTimer.current = window.setTimeout(() => setReloadTick((t) => t + 1), 1000);
        setLastUpdate(e.sample.ts);
      }
    },
  });
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  const p = peer.data;
  const latest = samples[samples.length - 1];
  return (
    <section>
      <p className="crumbs">
        <Link to="/networks">Networks</Link> / <Link to={`/networks/${networkId}`}>network</Link> /
      </p>
      <h1>{p ? `${p.name} (${p.kind.toLowerCase()})` : "Peer"}</h1>
      <Notice error={peer.error} />
      {!p && peer.loading && <Loading />}
      {p && (
        <dl className="props">
          <dt>Tunnel addresses</dt>
          <dd>{[p.tunnelIpv4, p.tunnelIpv6].filter(Boolean).join(", ")}</dd>
          <dt>Public key</dt>
          <dd>
            <code>{p.publicKey}</code>
          </dd>
          <dt>Endpoint</dt>
          <dd>{p.endpoint ?? "—"}</dd>
          <dt>Enabled</dt>
          <dd>{p.enabled ? "yes" : "no"}</dd>
        </dl>
      )}
      {p?.kind === "DEVICE" && (
        <section aria-labelledby="cfg-h">
          <h2 id="cfg-h">Configuration</h2>
          <DeviceConfig networkId={networkId} peer={p} />
        </section>
      )}
      {p?.kind === "AGENT" && (
        <section aria-labelledby="stats-h">
          <h2 id="stats-h">Link statistics</h2>
          <div className="filters">
            <label>
              Link
              <select
                value={remote}
                onChange={(e) => setParams(e.target.value ? { remote: e.target.value } : {}, { replace: true })}
              >
                <option value="">all links (aggregate)</option>
                {others.map((o) => (
                  <option key={o.id} value={o.id}>
                    to {o.name}
                  </option>
                ))}
              </select>
            </label>
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
            <span className={`badge health-${linkHealth(latest)}`}>{linkHealth(latest)}</span>
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
        </section>
      )}
    </section>
  );
}

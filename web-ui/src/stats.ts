import type { StatsSample } from "./api/types";

/** uPlot's aligned data: x in seconds, then one array per series (null = gap). */
export type Aligned = [number[], ...(number | null)[][]];

export interface SeriesDef {
  label: string;
  /** A gauge read straight from the sample, or a cumulative counter turned into per-second rates. */
  value: (s: StatsSample) => number | null | undefined;
  counter?: boolean;
}

export interface ChartDef {
  id: string;
  title: string;
  unit: string;
  series: SeriesDef[];
}

export const CHARTS: ChartDef[] = [
  {
    id: "latency",
    title: "Latency",
    unit: "ms",
    series: [
      { label: "handshake RTT", value: (s) => s.handshakeRttMs },
      { label: "probe RTT", value: (s) => s.probeRttMs },
    ],
  },
  {
    id: "sojourn",
    title: "Queue sojourn",
    unit: "ms",
    series: [
      { label: "p50", value: (s) => s.sojournP50Ms },
      { label: "p99", value: (s) => s.sojournP99Ms },
    ],
  },
  { id: "queue", title: "Queue depth", unit: "packets", series: [{ label: "queued", value: (s) => s.queuePackets }] },
  {
    id: "drops",
    title: "Drops by reason",
    unit: "packets/s",
    series: [
      { label: "overflow", value: (s) => s.dropsOverflow, counter: true },
      { label: "codel", value: (s) => s.dropsCodel, counter: true },
      { label: "no route", value: (s) => s.dropsNoRoute, counter: true },
      { label: "replay", value: (s) => s.dropsReplay, counter: true },
      { label: "auth", value: (s) => s.dropsAuth, counter: true },
    ],
  },
  {
    id: "throughput",
    title: "Throughput",
    unit: "bit/s",
    series: [
      { label: "rx", value: (s) => (s.rxBps == null ? null : s.rxBps * 8) },
      { label: "tx", value: (s) => (s.txBps == null ? null : s.txBps * 8) },
    ],
  },
];

const seconds = (iso: string) => new Date(iso).getTime() / 1000;

/** Sorted by time, one sample per timestamp (the later arrival wins), only those within [from, to]. */
export function normalise(samples: StatsSample[], fromS?: number, toS?: number): StatsSample[] {
  const byTs = new Map<number, StatsSample>();
  for (const s of samples) {
    const t = seconds(s.ts);
    if (Number.isNaN(t)) continue;
    if (fromS !== undefined && t < fromS) continue;
    if (toS !== undefined && t > toS) continue;
    byTs.set(t, s);
  }
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/**
 * Turns samples into uPlot data for one chart. Counters (drops since the data plane started) become rates between
 * consecutive samples; a decrease means the agent restarted, so that interval's rate is the new value over the gap.
 */
export function toAligned(samples: StatsSample[], chart: ChartDef): Aligned {
  const xs = samples.map((s) => seconds(s.ts));
  const cols = chart.series.map((def) =>
    samples.map((s, i) => {
      const v = def.value(s);
      if (v == null) return null;
      if (!def.counter) return v;
      if (i === 0) return null;
      const prev = def.value(samples[i - 1]);
      const dt = xs[i] - xs[i - 1];
      if (prev == null || dt <= 0) return null;
      const delta = v >= prev ? v - prev : v;
      return delta / dt;
    }),
  );
  return [xs, ...cols];
}

/** Appends a live sample to a window, dropping what fell out of it. */
export function appendLive(samples: StatsSample[], sample: StatsSample, windowS: number, nowS = Date.now() / 1000) {
  return normalise([...samples, sample], nowS - windowS);
}

export type Health = "good" | "degraded" | "down" | "unknown";

/** Thresholds for the topology colours and the needs-attention list. */
export const STALE_HANDSHAKE_S = 180; // WireGuard REJECT_AFTER_TIME: no session survives past this
export const HIGH_LATENCY_MS = 150;
export const HIGH_LOSS = 0.05;

/**
 * Seconds since the link's last handshake as of {@code nowMs}: the age the agent reported plus the time since its
 * report, so the links of an agent that went silent age too instead of staying green.
 */
export function handshakeAge(s: StatsSample | null | undefined, nowMs = Date.now()): number | null {
  if (!s || s.handshakeAgeS == null) return null;
  const since = (nowMs - new Date(s.ts).getTime()) / 1000;
  return s.handshakeAgeS + (Number.isFinite(since) ? Math.max(0, since) : 0);
}

const rttOf = (s: StatsSample) => s.probeRttMs ?? s.handshakeRttMs ?? null;

export function linkHealth(s: StatsSample | null | undefined, nowMs = Date.now()): Health {
  if (!s) return "unknown";
  const age = handshakeAge(s, nowMs);
  if (age != null && age > STALE_HANDSHAKE_S) return "down";
  if (s.probeLoss != null && s.probeLoss >= 0.5) return "down";
  const rtt = rttOf(s);
  if ((rtt != null && rtt > HIGH_LATENCY_MS) || (s.probeLoss != null && s.probeLoss > HIGH_LOSS)) return "degraded";
  if (age == null && rtt == null) return "unknown";
  return "good";
}

/** Reasons a link needs attention, for the overview and the topology table. */
export function attentionReasons(s: StatsSample | null | undefined, nowMs = Date.now()): string[] {
  if (!s) return [];
  const out: string[] = [];
  const age = handshakeAge(s, nowMs);
  if (age != null && age > STALE_HANDSHAKE_S) out.push(`stale handshake (${Math.round(age)} s)`);
  const rtt = rttOf(s);
  if (rtt != null && rtt > HIGH_LATENCY_MS) out.push(`high latency (${Math.round(rtt)} ms)`);
  if (s.probeLoss != null && s.probeLoss > HIGH_LOSS) out.push(`packet loss ${(s.probeLoss * 100).toFixed(0)} %`);
  return out;
}

/** The three health inputs as short text ("—" when unknown): latency, loss, handshake age. */
export function linkFacts(s: StatsSample | null | undefined, nowMs = Date.now()) {
  const rtt = s ? rttOf(s) : null;
  const age = handshakeAge(s, nowMs);
  return {
    latency: rtt == null ? "—" : `${rtt < 10 ? rtt.toFixed(1) : Math.round(rtt)} ms`,
    loss: s?.probeLoss == null ? "—" : `${(s.probeLoss * 100).toFixed(s.probeLoss < 0.1 ? 1 : 0)} %`,
    handshake: age == null ? "—" : `${Math.round(age)} s ago`,
  };
}

export const RANGES = [
  { label: "15 minutes", seconds: 15 * 60 },
  { label: "1 hour", seconds: 3600 },
  { label: "6 hours", seconds: 6 * 3600 },
  { label: "24 hours", seconds: 86400 },
  { label: "7 days", seconds: 7 * 86400 },
];

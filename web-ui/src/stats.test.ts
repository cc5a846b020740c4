import { describe, expect, it } from "vitest";
import { CHARTS, appendLive, attentionReasons, handshakeAge, linkFacts, linkHealth, normalise, toAligned } from "./stats";
import { buildElements, type NetworkSnapshot } from "./snapshot";
import type { Peer, StatsSample } from "./api/types";

const at = (s: number, rest: Partial<StatsSample> = {}): StatsSample => ({ ts: new Date(s * 1000).toISOString(), ...rest });
const chart = (id: string) => CHARTS.find((c) => c.id === id)!;

describe("chart data", () => {
  it("aligns gauges on seconds, with null gaps", () => {
    const data = toAligned([at(100, { handshakeRttMs: 10, probeRttMs: 12 }), at(110, { probeRttMs: 14 })], chart("latency"));
    expect(data).toEqual([[100, 110], [10, null], [12, 14]]);
  });

  it("turns cumulative drop counters into rates and handles a restart", () => {
    const data = toAligned(
      [at(0, { dropsOverflow: 100 }), at(10, { dropsOverflow: 150 }), at(20, { dropsOverflow: 30 })],
      chart("drops"),
    );
    expect(data[0]).toEqual([0, 10, 20]);
    expect(data[1]).toEqual([null, 5, 3]); // (150-100)/10, then restart: 30/10
    expect(data[2]).toEqual([null, null, null]); // codel never reported
  });

  it("shows throughput in bits per second", () => {
    expect(toAligned([at(0, { rxBps: 1000, txBps: null })], chart("throughput"))).toEqual([[0], [8000], [null]]);
  });

  it("sorts, de-duplicates and windows samples", () => {
    const s = normalise([at(30, { queuePackets: 3 }), at(10), at(20), at(30, { queuePackets: 4 })], 15);
    expect(s.map((x) => x.ts)).toEqual([at(20).ts, at(30).ts]);
    expect(s[1].queuePackets).toBe(4);
  });

  it("appends a live sample and drops what left the window", () => {
    const s = appendLive([at(0), at(50)], at(100), 60, 100);
    expect(s.map((x) => x.ts)).toEqual([at(50).ts, at(100).ts]);
  });
});

describe("link health", () => {
  it("classifies", () => {
    expect(linkHealth(null, 0)).toBe("unknown");
    expect(linkHealth(at(0, { handshakeAgeS: 5, probeRttMs: 20 }), 0)).toBe("good");
    expect(linkHealth(at(0, { handshakeAgeS: 5, probeRttMs: 400 }), 0)).toBe("degraded");
    expect(linkHealth(at(0, { handshakeAgeS: 5, probeRttMs: 20, probeLoss: 0.1 }), 0)).toBe("degraded");
    expect(linkHealth(at(0, { handshakeAgeS: 5, probeRttMs: 20, probeLoss: 0.6 }), 0)).toBe("down");
    expect(linkHealth(at(0, { handshakeAgeS: 500, probeRttMs: 20 }), 0)).toBe("down");
    expect(attentionReasons(at(0, { handshakeAgeS: 500, probeRttMs: 400 }), 0)).toEqual([
      "stale handshake (500 s)",
      "high latency (400 ms)",
    ]);
  });

  it("ages the handshake of a report that is not fresh", () => {
    const s = at(100, { handshakeAgeS: 20, probeRttMs: 5 });
    expect(handshakeAge(s, 100_000)).toBe(20);
    expect(handshakeAge(s, 130_000)).toBe(50);
    expect(handshakeAge(s, 50_000)).toBe(20); // a clock behind the agent's never makes it younger
    expect(linkHealth(s, 130_000)).toBe("good");
    expect(linkHealth(s, 400_000)).toBe("down");
    expect(attentionReasons(s, 400_000)).toEqual(["stale handshake (320 s)"]);
  });

  it("gives latency, loss and handshake age as text", () => {
    expect(linkFacts(at(0, { handshakeAgeS: 12.4, probeRttMs: 3.25, probeLoss: 0.02 }), 0)).toEqual({
      latency: "3.3 ms",
      loss: "2.0 %",
      handshake: "12 s ago",
    });
    expect(linkFacts(at(0, { handshakeRttMs: 42 }), 0)).toEqual({ latency: "42 ms", loss: "—", handshake: "—" });
    expect(linkFacts(undefined, 0)).toEqual({ latency: "—", loss: "—", handshake: "—" });
  });
});

describe("topology elements", () => {
  const peer = (id: string, kind: "AGENT" | "DEVICE", siteId: string | null = null): Peer =>
    ({ id, kind, siteId, name: id, enabled: true, endpoint: kind === "AGENT" ? "h:1" : null }) as Peer;

  it("puts agents in sites and colours each agent pair by its worse direction", () => {
    const snap: NetworkSnapshot = {
      sites: [{ id: "s1", name: "office" } as NetworkSnapshot["sites"][0]],
      peers: [peer("a", "AGENT", "s1"), peer("b", "AGENT"), peer("c", "AGENT"), peer("d", "DEVICE")],
      agents: [],
      agentsError: null,
      links: new Map([
        ["a>b", at(0, { handshakeAgeS: 5, probeRttMs: 10 })],
        ["b>a", at(0, { handshakeAgeS: 500 })],
        ["a>c", at(0, { handshakeAgeS: 5, probeRttMs: 10 })],
        ["b>d", at(0, { handshakeAgeS: 5, probeRttMs: 300 })],
      ]),
      linksError: null,
      loadedAt: 0,
    };
    const els = buildElements(snap);
    const node = (id: string) => els.find((e) => e.data.id === id)!.data as { parent?: string };
    expect(node("site:s1")).toBeTruthy();
    expect(node("a").parent).toBe("site:s1");
    expect(node("b").parent).toBeUndefined();
    const edge = (id: string) => els.find((e) => e.data.id === id)!.data as { health: string; label: string };
    expect(edge("a~b").health).toBe("down");
    expect(edge("a~b")).toMatchObject({ handshake: "500 s ago", reasons: "stale handshake (500 s)" });
    expect(edge("a~c").health).toBe("good");
    expect(edge("a~c").label).toBe("10 ms");
    expect(edge("b~c").health).toBe("unknown");
    expect(els.filter((e) => e.data.id.startsWith("d~"))).toHaveLength(3);
    // A device link is judged by the agent's view of it.
    expect(edge("d~b")).toMatchObject({ health: "degraded", latency: "300 ms", reasons: "high latency (300 ms)" });
    expect(edge("d~a").health).toBe("unknown");
  });
});

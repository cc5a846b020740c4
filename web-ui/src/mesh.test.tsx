import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./api/client";
import type { Plan, Rollout } from "./api/mesh";
import type { Site } from "./api/types";
import { MeshForm } from "./components/MeshForm";
import { PlanView } from "./components/PlanView";
import { RolloutProgress, mergeEvents, mergeRollout } from "./components/RolloutProgress";
import { RolloutWizard, waveSizes } from "./components/RolloutWizard";

afterEach(() => vi.unstubAllGlobals());

const site = (id: string, name: string) => ({ id, name, networkId: "n1", lanPrefixes: [] }) as unknown as Site;
const sites = [site("s1", "berlin"), site("s2", "paris"), site("s3", "rome")];

const plan: Plan = {
  meshId: "m1",
  targetRevision: 2,
  stableRevision: 1,
  agentsChanged: 3,
  agentsUnchanged: 1,
  agents: [
    {
      peerId: "p1",
      agentId: "a1",
      name: "gw-berlin",
      siteId: "s1",
      fromRevision: 1,
      toRevision: 2,
      peersAdded: [{ peerId: "p3", name: "gw-rome", allowedIps: ["10.0.0.3/32", "192.168.3.0/24"], endpoint: "rome:51820", presharedKey: true }],
      peersRemoved: [{ peerId: "p9", name: "gw-old" }],
      peersChanged: [{ peerId: "p2", name: "gw-paris", allowedIpsAdded: ["192.168.2.0/24"], endpointBefore: "a:1", endpoint: "b:2" }],
      routesAdded: ["192.168.3.0/24"],
      routesRemoved: ["192.168.9.0/24"],
    },
  ],
  drift: [{ peerId: "p4", agentId: "a4", name: "gw-lisbon", desiredConfigHash: "aaaaaaaaaaaaaaaa", appliedConfigHash: "bbbbbbbbbbbbbbbb" }],
};

describe("mesh form", () => {
  it("sends members with endpoints, hubs in the order ticked, and only the topology's fields", async () => {
    const save = vi.fn(async () => ({ id: "m1", name: "core" }) as never);
    render(<MeshForm sites={sites} save={save} onSaved={() => {}} />);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "core" } });
    fireEvent.change(screen.getByLabelText("Topology"), { target: { value: "HUB_AND_SPOKE" } });
    for (const n of ["berlin", "paris", "rome"]) fireEvent.click(screen.getByRole("checkbox", { name: n }));
    fireEvent.change(screen.getByLabelText("Router endpoint of berlin"), { target: { value: "gw.berlin:51820" } });
    const hubs = within(screen.getByRole("group", { name: "Hubs, in order of preference" }));
    fireEvent.click(hubs.getByRole("checkbox", { name: /rome/ }));
    fireEvent.click(hubs.getByRole("checkbox", { name: /berlin/ }));
    expect(hubs.getByText(/rome \(hub 1\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Create mesh" }));
    await waitFor(() => expect(save).toHaveBeenCalled());
    expect(save).toHaveBeenCalledWith({
      name: "core",
      topology: "HUB_AND_SPOKE",
      members: [
        { siteId: "s1", endpoint: "gw.berlin:51820" },
        { siteId: "s2", endpoint: null },
        { siteId: "s3", endpoint: null },
      ],
      hubs: ["s3", "s1"],
      links: [],
    });
  });

  it("offers the pairs of member sites as explicit links and shows the controller's messages", async () => {
    const save = vi.fn(async () => {
      throw new ApiError(400, { detail: "Invalid input", errors: [{ field: "members[1].lanPrefixes", message: "192.168.1.0/24 overlaps site berlin" }] });
    });
    render(<MeshForm sites={sites} save={save} onSaved={() => {}} />);
    fireEvent.change(screen.getByLabelText("Topology"), { target: { value: "EXPLICIT" } });
    fireEvent.click(screen.getByRole("checkbox", { name: "berlin" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "rome" }));
    const links = within(screen.getByRole("group", { name: "Direct links" }));
    expect(links.getAllByRole("checkbox")).toHaveLength(1);
    fireEvent.click(links.getByRole("checkbox", { name: "berlin ↔ rome" }));
    fireEvent.click(screen.getByRole("button", { name: "Create mesh" }));
    expect(await screen.findByText("192.168.1.0/24 overlaps site berlin")).toBeTruthy();
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ topology: "EXPLICIT", hubs: [], links: [{ siteA: "s1", siteB: "s3" }] }));
  });
});

describe("plan view", () => {
  it("lists each agent's added, removed and changed peers and routes, and the drifted agents", () => {
    render(<PlanView plan={plan} siteName={(id) => sites.find((s) => s.id === id)?.name ?? "—"} />);
    const row = screen.getByRole("row", { name: /gw-berlin/ });
    expect(within(row).getByText("berlin")).toBeTruthy();
    expect(row.textContent).toContain("added + peer gw-rome (allowed IPs 10.0.0.3/32, 192.168.3.0/24; endpoint rome:51820; with a preshared key)");
    expect(row.textContent).toContain("removed − peer gw-old");
    expect(row.textContent).toContain("changed ~ peer gw-paris: allowed IPs + 192.168.2.0/24; endpoint a:1 → b:2");
    expect(row.textContent).toContain("added + route 192.168.3.0/24");
    expect(row.textContent).toContain("removed − route 192.168.9.0/24");
    expect(screen.getByText(/gw-lisbon/).textContent).toContain("applied bbbbbbbbbbbb, wanted aaaaaaaaaaaa");
    expect(screen.getByTestId("plan-changed").textContent).toBe("3");
  });
});

describe("rollout wizard", () => {
  it("splits agents into a canary and waves", () => {
    expect(waveSizes(12, 1, 5)).toEqual([1, 5, 5, 1]);
    expect(waveSizes(3, 5, 5)).toEqual([3]);
    expect(waveSizes(0, 1, 5)).toEqual([]);
    expect(waveSizes(4, 0, 5)).toEqual([]);
  });

  it("walks review, waves and start; a field error returns to the waves step", async () => {
    let attempt = 0;
    const start = vi.fn(async () => {
      if (attempt++ === 0) throw new ApiError(400, { detail: "Invalid input", errors: [{ field: "waveSize", message: "must be 1-1000" }] });
      return { id: "r1" } as Rollout;
    });
    const onStarted = vi.fn();
    render(<RolloutWizard plan={plan} start={start} onStarted={onStarted} onCancel={() => {}} />);
    expect(screen.getByText(/gw-berlin: \+1 −1 ~1 peers/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.change(screen.getByLabelText("Canary size (agents in the first wave)"), { target: { value: "2" } });
    fireEvent.change(screen.getByLabelText("Wave size (agents in each later wave)"), { target: { value: "1" } });
    fireEvent.change(screen.getByLabelText("Pause between waves (s)"), { target: { value: "10" } });
    // 3 changed + 1 drifted agent (reconverge is on): canary of 2, then 1 and 1.
    expect(screen.getByTestId("wave-preview").textContent).toBe("3 waves: canary of 2, 1, 1.");
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByText(/then 10 s before the next/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Start rollout" }));
    expect(await screen.findByText("must be 1-1000")).toBeTruthy();
    expect(screen.getByLabelText("Wave size (agents in each later wave)").getAttribute("aria-invalid")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.click(screen.getByRole("button", { name: "Start rollout" }));
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith({ id: "r1" }));
    expect(start).toHaveBeenLastCalledWith({
      canarySize: 2,
      waveSize: 1,
      pauseSeconds: 10,
      gateTimeoutSeconds: 60,
      healthGates: true,
      reconverge: true,
    });
  });
});

/** A stand-in EventSource the test pushes messages through. */
class FakeSource {
  static last: FakeSource | null = null;
  listeners = new Map<string, ((m: MessageEvent) => void)[]>();
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSource.last = this;
  }
  addEventListener(type: string, fn: (m: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  close() {
    this.closed = true;
  }
}

const rollout = (over: Partial<Rollout>): Rollout => ({
  id: "r1",
  meshId: "m1",
  networkId: "n1",
  targetRevision: 2,
  fromStableRevision: 1,
  state: "RUNNING",
  canarySize: 1,
  waveSize: 5,
  pauseSeconds: 0,
  gateTimeoutSeconds: 60,
  healthGates: true,
  waveCount: 2,
  currentWave: 0,
  wavePhase: "APPLIED",
  createdBy: "ada",
  createdAt: "2026-12-01T21:00:00Z",
  updatedAt: "2026-12-01T21:00:00Z",
  ...over,
});

describe("rollout progress", () => {
  it("follows the stream wave by wave and offers the controls the state allows", async () => {
    const waves = [
      { index: 0, agents: [{ peerId: "p1", step: "APPLIED" as const, resync: false }] },
      { index: 1, agents: [{ peerId: "p2", step: "PENDING" as const, resync: false }] },
    ];
    const calls: { method: string; url: string }[] = [];
    vi.stubGlobal("EventSource", FakeSource);
    vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
      calls.push({ method: init.method ?? "GET", url });
      const body = init.method === "POST" ? rollout({ state: "RUNNING", currentWave: 1 }) : rollout({ waves });
      return new Response(JSON.stringify(body), { status: 200 });
    });
    render(<RolloutProgress networkId="n1" meshId="m1" rolloutId="r1" peerName={(id) => `gw-${id}`} canEdit onChanged={() => {}} />);
    expect(await screen.findByText("Wave 0 (canary) of waves 0–1, applied.")).toBeTruthy();
    expect(FakeSource.last!.url).toBe("/api/v1/networks/n1/meshes/m1/rollouts/r1/stream");
    expect(screen.getByRole("button", { name: "Abort" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Pause" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Resume" })).toBeNull();

    act(() => {
      FakeSource.last!.onopen?.();
      FakeSource.last!.emit("rollout-event", { id: 2, rolloutId: "r1", occurredAt: "2026-12-01T21:00:02Z", kind: "wave.gate-failed", wave: 0, detail: "gw-p1 did not acknowledge" });
      FakeSource.last!.emit("rollout-event", { id: 1, rolloutId: "r1", occurredAt: "2026-12-01T21:00:01Z", kind: "wave.applied", wave: 0 });
      FakeSource.last!.emit("rollout", rollout({
        state: "PAUSED",
        reason: "gw-p1 did not acknowledge within 60 s",
        waves: [{ index: 0, agents: [{ peerId: "p1", step: "FAILED", resync: false, detail: "no ack" }] }, waves[1]],
      }));
    });
    expect(screen.getByTestId("rollout-state").textContent).toBe("paused");
    expect(screen.queryByRole("button", { name: "Pause" })).toBeNull();
    expect(screen.getByTestId("rollout-summary").textContent).toContain("Paused: gw-p1 did not acknowledge within 60 s");
    expect(screen.getAllByTestId("agent-step").map((e) => e.textContent)).toEqual(["failed", "pending"]);
    const history = screen.getByTestId("rollout-history");
    expect(within(history).getAllByRole("listitem").map((li) => li.textContent!.slice(li.querySelector("time")!.textContent!.length + 1))).toEqual([
      "wave.applied (wave 0)",
      "wave.gate-failed (wave 0): gw-p1 did not acknowledge",
    ]);

    fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/rollouts/r1/resume"))).toBe(true));
    // The action's answer has no waves: the ones already shown stay.
    await waitFor(() => expect(screen.getByTestId("rollout-state").textContent).toBe("running"));
    expect(screen.getAllByTestId("wave")).toHaveLength(2);

    // Running again: an operator can pause it by hand, without a confirmation (resume undoes it).
    fireEvent.click(screen.getByRole("button", { name: "Pause" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/rollouts/r1/pause"))).toBe(true));
  });

  it("shows viewers no controls", async () => {
    vi.stubGlobal("EventSource", FakeSource);
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify(rollout({ state: "PAUSED" })), { status: 200 }));
    render(<RolloutProgress networkId="n1" meshId="m1" rolloutId="r1" peerName={(id) => id} canEdit={false} />);
    expect(await screen.findByTestId("rollout-state")).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("merges answers and history", () => {
    const withWaves = rollout({ waves: [{ index: 0, agents: [] }] });
    expect(mergeRollout(withWaves, rollout({ state: "PAUSED" })).waves).toEqual(withWaves.waves);
    expect(mergeRollout(withWaves, rollout({ id: "r2" })).waves).toBeUndefined();
    const e = (id: number) => ({ id, rolloutId: "r1", occurredAt: "", kind: `k${id}` });
    expect(mergeEvents([e(1), e(3)], [e(2), e(3)]).map((x) => x.id)).toEqual([1, 2, 3]);
    expect(mergeEvents([e(1), e(2)], [e(3)], 2).map((x) => x.id)).toEqual([2, 3]);
  });
});

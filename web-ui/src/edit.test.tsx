import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRouter } from "react-router";
import { AuthProvider } from "./auth";
import { Networks } from "./pages/Networks";
import { Overview } from "./pages/Overview";
import { STALE_EDIT } from "./api/client";

afterEach(() => vi.unstubAllGlobals());

const page = (items: unknown[]) => ({ items, page: 0, size: 20, totalItems: items.length, totalPages: 1 });
const net = (version: number, name = "prod") => ({
  id: "n1",
  name,
  ipv4Prefix: "10.0.0.0/16",
  ipv6Prefix: null,
  mtu: 1420,
  dnsServers: [],
  persistentKeepalive: 0,
  version,
});

type Call = { method: string; url: string; headers: Record<string, string> };

/** A fake controller: routes answer by "METHOD path"; every call is kept. */
function controller(routes: Record<string, () => Response>) {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    calls.push({ method, url, headers: (init.headers ?? {}) as Record<string, string> });
    const path = url.split("?")[0];
    const route = routes[`${method} ${path}`];
    return route ? route() : new Response(JSON.stringify({ detail: `no route ${method} ${path}` }), { status: 404 });
  });
  return calls;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

function renderAdmin(ui: React.ReactNode) {
  return render(
    <AuthProvider initial={{ name: "ada", role: "ADMIN" }}>
      <MemoryRouter>{ui}</MemoryRouter>
    </AuthProvider>,
  );
}

describe("conditional edits", () => {
  it("saves with the ETag it read, and after a 412 offers the current version", async () => {
    let current = net(3);
    const calls = controller({
      "GET /api/v1/networks": () => json(page([net(3)])),
      "GET /api/v1/networks/n1": () => json(current, 200, { ETag: `"${current.version}"` }),
      "PUT /api/v1/networks/n1": () => json({ status: 412, detail: 'If-Match "3" does not match "4"' }, 412),
    });
    renderAdmin(<Networks />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit prod" }));
    const name = (await screen.findByLabelText("Name")) as HTMLInputElement;
    expect(name.value).toBe("prod");
    // Meanwhile someone renames it.
    current = net(4, "production");
    fireEvent.change(name, { target: { value: "mine" } });
    fireEvent.click(screen.getByRole("button", { name: "Save network" }));
    expect(await screen.findByText(STALE_EDIT)).toBeTruthy();
    const put = calls.find((c) => c.method === "PUT")!;
    expect(put.headers["If-Match"]).toBe('"3"');

    fireEvent.click(screen.getByRole("button", { name: "Reload current version" }));
    await waitFor(() => expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("production"));
    expect(screen.queryByText(STALE_EDIT)).toBeNull();
    expect(calls.filter((c) => c.method === "GET" && c.url === "/api/v1/networks/n1")).toHaveLength(2);
  });

  it("deletes conditionally on the listed version and reloads the list on 412", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const calls = controller({
      "GET /api/v1/networks": () => json(page([net(7)])),
      "DELETE /api/v1/networks/n1": () => json({ status: 412 }, 412),
    });
    renderAdmin(<Networks />);
    fireEvent.click(await screen.findByRole("button", { name: "Delete prod" }));
    expect(await screen.findByText(/changed by someone else since you loaded this page/)).toBeTruthy();
    expect(calls.find((c) => c.method === "DELETE")!.headers["If-Match"]).toBe('"7"');
    await waitFor(() => expect(calls.filter((c) => c.method === "GET" && c.url.startsWith("/api/v1/networks?")).length).toBe(2));
  });
});

describe("overview", () => {
  it("reads all link stats of a network in one request and lists what needs attention, paused rollouts first", async () => {
    const agent = (id: string, name: string) => ({ id, name, kind: "AGENT", siteId: null, enabled: true, endpoint: "h:1" });
    const now = new Date().toISOString();
    const calls = controller({
      "GET /api/v1/networks": () => json(page([net(1)])),
      "GET /api/v1/networks/n1/sites": () => json(page([])),
      "GET /api/v1/networks/n1/peers": () => json(page([agent("a", "alpha"), agent("b", "beta"), agent("c", "gamma")])),
      "GET /api/v1/agents": () => json(page([])),
      "GET /api/v1/rollouts": () =>
        json({
          items: [
            {
              networkName: "prod",
              meshName: "core",
              rollout: {
                id: "r1",
                networkId: "n1",
                meshId: "m1",
                state: "PAUSED",
                currentWave: 1,
                waveCount: 3,
                reason: "beta did not acknowledge within 60 s",
              },
            },
          ],
        }),
      "GET /api/v1/networks/n1/stats/latest": () =>
        json({
          networkId: "n1",
          since: now,
          truncated: false,
          links: [
            { agentPeerId: "a", remotePeerId: "b", sample: { ts: now, handshakeAgeS: 5, probeRttMs: 400 } },
            { agentPeerId: "b", remotePeerId: "a", sample: { ts: now, handshakeAgeS: 5, probeRttMs: 4 } },
          ],
        }),
    });
    renderAdmin(<Overview />);
    expect(await screen.findByText("alpha → beta (prod)")).toBeTruthy();
    expect(screen.getByText(/high latency \(400 ms\)/)).toBeTruthy();
    expect(screen.queryByText(/beta → alpha/)).toBeNull();
    expect(calls.filter((c) => c.url.includes("/stats"))).toHaveLength(1);
    const items = screen.getAllByRole("listitem");
    expect(items[0].textContent).toBe("Rollout of mesh core (prod): paused in wave 1 (of waves 0–2): beta did not acknowledge within 60 s");
    expect(items[0].querySelector("a")!.getAttribute("href")).toBe("/meshes/n1/m1?rollout=r1");
    expect(items).toHaveLength(2);
    expect(calls.some((c) => c.method === "GET" && c.url === "/api/v1/rollouts?state=PAUSED")).toBe(true);
  });
});

import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRouter, Route, Routes } from "react-router";
import { AuthProvider } from "./auth";

// uPlot needs a canvas, which jsdom lacks; the charts' data path is covered in stats.test.ts.
vi.mock("./components/Chart", () => ({
  Chart: ({ def, samples }: { def: { id: string }; samples: unknown[] }) => (
    <figure data-chart={def.id} data-samples={samples.length} />
  ),
}));
const { PeerDetail } = await import("./pages/PeerDetail");

afterEach(() => vi.unstubAllGlobals());

const page = (items: unknown[]) => ({ items, page: 0, size: 500, totalItems: items.length, totalPages: 1 });
const peer = (id: string, name: string, kind: "AGENT" | "DEVICE") => ({
  id,
  name,
  kind,
  networkId: "n1",
  siteId: null,
  publicKey: `${id}-key`,
  controllerHoldsPrivateKey: true,
  tunnelIpv4: "10.0.0.9",
  tunnelIpv6: null,
  endpoint: kind === "AGENT" ? "h:1" : null,
  enabled: true,
  tags: [],
  version: 1,
});

describe("device peer statistics", () => {
  it("charts the device's link as each agent reports it", async () => {
    const urls: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      urls.push(url);
      const path = url.split("?")[0];
      if (path === "/api/v1/networks/n1/peers/d1") return new Response(JSON.stringify(peer("d1", "phone", "DEVICE")));
      if (path === "/api/v1/networks/n1/peers")
        return new Response(JSON.stringify(page([peer("d1", "phone", "DEVICE"), peer("a1", "gw-1", "AGENT"), peer("a2", "gw-2", "AGENT")])));
      if (path.endsWith("/stats"))
        return new Response(JSON.stringify({ peerId: "a1", resolution: "raw", samples: [{ ts: new Date().toISOString(), probeRttMs: 3 }] }));
      return new Response("", { status: 404 });
    });
    render(
      <AuthProvider initial={{ name: "val", role: "VIEWER" }}>
        <MemoryRouter initialEntries={["/networks/n1/peers/d1"]}>
          <Routes>
            <Route path="/networks/:networkId/peers/:peerId" element={<PeerDetail />} />
          </Routes>
        </MemoryRouter>
      </AuthProvider>,
    );
    const via = (await screen.findByLabelText("As seen by agent")) as HTMLSelectElement;
    expect([...via.options].map((o) => o.text)).toEqual(["gw-1", "gw-2"]);
    await waitFor(() => expect(screen.getByTestId("charts").getAttribute("data-samples")).toBe("1"));
    const stats = () => urls.filter((u) => u.includes("/stats"));
    expect(stats()[0]).toMatch(/^\/api\/v1\/networks\/n1\/peers\/a1\/stats\?.*remotePeerId=d1/);
    fireEvent.change(via, { target: { value: "a2" } });
    await waitFor(() => expect(stats().some((u) => /\/peers\/a2\/stats\?.*remotePeerId=d1/.test(u))).toBe(true));
    expect(screen.getByRole("link", { name: /Download phone.conf/ })).toBeTruthy();
  });
});

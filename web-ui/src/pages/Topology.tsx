import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import cytoscape from "cytoscape";
import { api } from "../api/endpoints";
import { Loading, Notice } from "../components/ui";
import { useAsync } from "../components/useAsync";
import { buildElements, loadSnapshot, type NetworkSnapshot, type TopoEdge } from "../snapshot";
import { useEvents } from "../events";
import { HIGH_LATENCY_MS, HIGH_LOSS, STALE_HANDSHAKE_S, type Health } from "../stats";

/**
 * Health is told by colour and, for those who cannot tell the colours apart, by line style too; the legend shows
 * both, and the table under the graph says the same in words.
 */
const EDGE_STYLE: Record<Health, { colour: string; line: "solid" | "dashed" | "dotted"; width: number; text: string }> = {
  good: { colour: "#1a7f37", line: "solid", width: 3, text: "healthy" },
  degraded: { colour: "#9a6700", line: "dashed", width: 3, text: `latency over ${HIGH_LATENCY_MS} ms or loss over ${HIGH_LOSS * 100} %` },
  down: { colour: "#cf222e", line: "dotted", width: 4, text: `handshake older than ${STALE_HANDSHAKE_S} s, or loss of half the probes` },
  unknown: { colour: "#8c959f", line: "dashed", width: 1.5, text: "no recent report" },
};

/** The page with a link's charts: an agent's view of the link, or for a device the agent it connects to. */
function linkPage(networkId: string, s: NetworkSnapshot, e: TopoEdge["data"]) {
  const device = s.peers.find((p) => p.id === e.source)?.kind === "DEVICE";
  return `/networks/${networkId}/peers/${e.source}?${device ? "via" : "remote"}=${e.target}`;
}

export function Topology() {
  const [params, setParams] = useSearchParams();
  const networks = useAsync(() => api.networks({ size: 500, sort: "name,asc" }), []);
  const networkId = params.get("network") ?? networks.data?.items[0]?.id ?? "";
  const [tick, setTick] = useState(0);
  const snap = useAsync<NetworkSnapshot | null>(
    () => (networkId ? loadSnapshot(networkId) : Promise.resolve(null)),
    [networkId, tick],
  );
  const host = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const refresh = useRef<number | undefined>(undefined);

  // Presence and health changes redraw, at most every 5 s.
  useEvents(networkId || undefined, {
    onAgent: () => schedule(),
    onStats: () => schedule(),
  });
  function schedule() {
    if (refresh.current !== undefined) return;
    refresh.current = window.setTimeout(() => {
      refresh.current = undefined;
      setTick((t) => t + 1);
    }, 5000);
  }
  useEffect(() => () => window.clearTimeout(refresh.current), []);

  useEffect(() => {
    if (!host.current || !snap.data) return;
    const cy = cytoscape({
      container: host.current,
      elements: buildElements(snap.data),
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 12, "text-valign": "bottom", "text-margin-y": 4, color: "#1f2328" } },
        { selector: "node[kind = 'agent']", style: { "background-color": "#0969da", shape: "round-rectangle", width: 34, height: 34 } },
        { selector: "node[kind = 'agent'][?online]", style: { "border-width": 3, "border-color": "#1a7f37" } },
        { selector: "node[kind = 'device']", style: { "background-color": "#8250df", shape: "ellipse", width: 22, height: 22 } },
        {
          selector: "node[kind = 'site']",
          style: { "background-color": "#f6f8fa", "border-color": "#d0d7de", "border-width": 1, "text-valign": "top", shape: "round-rectangle" },
        },
        { selector: "edge", style: { width: 3, "curve-style": "bezier", label: "data(label)", "font-size": 10 } },
        ...(Object.entries(EDGE_STYLE).map(([h, st]) => ({
          selector: `edge[health = '${h}']`,
          style: { "line-color": st.colour, "line-style": st.line, width: st.width },
        })) as cytoscape.StylesheetJson),
      ],
    });
    // A small mesh would be blown up to fill the box: keep labels at a readable size.
    const layout = cy.layout({ name: "cose", animate: false, padding: 30 });
    layout.one("layoutstop", () => {
      cy.fit(undefined, 30);
      if (cy.zoom() > 1) {
        cy.zoom(1);
        cy.center();
      }
    });
    layout.run();
    cy.on("tap", "edge", (e) => navigate(linkPage(networkId, snap.data!, e.target.data() as TopoEdge["data"])));
    cy.on("tap", "node[kind != 'site']", (e) => navigate(`/networks/${networkId}/peers/${e.target.id()}`));
    return () => cy.destroy();
  }, [snap.data, networkId, navigate]);

  const s = snap.data;
  return (
    <section>
      <div className="page-head">
        <h1>Topology</h1>
        <label>
          Network
          <select value={networkId} onChange={(e) => setParams({ network: e.target.value })}>
            {networks.data?.items.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Notice
        error={networks.error ?? snap.error}
        message={
          [s?.agentsError && `Agent presence unavailable: ${s.agentsError}`, s?.linksError && `Link statistics unavailable: ${s.linksError}`]
            .filter(Boolean)
            .join(" ") || null
        }
      />
      {networks.data && networks.data.items.length === 0 && <p>No networks yet.</p>}
      {snap.loading && !s && <Loading what="Loading topology" />}
      <ul className="legend" aria-label="Link health legend" data-testid="legend">
        {(Object.keys(EDGE_STYLE) as Health[]).map((h) => (
          <li key={h}>
            <span
              className="line-swatch"
              aria-hidden="true"
              style={{ borderTopColor: EDGE_STYLE[h].colour, borderTopStyle: EDGE_STYLE[h].line, borderTopWidth: Math.max(2, EDGE_STYLE[h].width) }}
            />
            <strong>{h}</strong>: {EDGE_STYLE[h].text}
          </li>
        ))}
      </ul>
      <div ref={host} className="topology" data-testid="topology" role="img" aria-label="Mesh topology graph; the table below lists the same links" />
      {s && (
        <table>
          <caption>Links</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Health</th>
              <th scope="col">Latency</th>
              <th scope="col">Loss</th>
              <th scope="col">Last handshake</th>
              <th scope="col">Attention</th>
            </tr>
          </thead>
          <tbody>
            {buildElements(s)
              .filter((e): e is Extract<typeof e, { data: { source: string } }> => "source" in e.data)
              .map((e) => {
                const name = (id: string) => s.peers.find((p) => p.id === id)?.name ?? id;
                return (
                  <tr key={e.data.id}>
                    <td>
                      <Link to={linkPage(networkId, s, e.data)} aria-label={`Statistics of ${name(e.data.source)} to ${name(e.data.target)}`}>
                        {name(e.data.source)}
                      </Link>
                    </td>
                    <td>{name(e.data.target)}</td>
                    <td><span className={`badge health-${e.data.health}`}>{e.data.health}</span></td>
                    <td>{e.data.latency}</td>
                    <td>{e.data.loss}</td>
                    <td>{e.data.handshake}</td>
                    <td>{e.data.reasons || "—"}</td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      )}
    </section>
  );
}

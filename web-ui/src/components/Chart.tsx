import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { toAligned, type ChartDef } from "../stats";
import type { StatsSample } from "../api/types";

const COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df"];

/** One uPlot chart; rebuilt when the series change, data swapped in place on updates. */
/** {@code window}: the selected time range in seconds; the x axis spans it up to now, however sparse the data. */
export function Chart({ def, samples, window }: { def: ChartDef; samples: StatsSample[]; window?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = toAligned(samples, def);
  const latest = data.slice(1).map((col) => col[col.length - 1]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = Math.max(280, el.clientWidth || 480);
    const opts: uPlot.Options = {
      width,
      height: 200,
      scales: { x: { time: true } },
      axes: [{}, { label: def.unit, size: 60 }],
      series: [{}, ...def.series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false }))],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => {
      if (plot.current && el.clientWidth > 0) plot.current.setSize({ width: el.clientWidth, height: 200 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [def]);

  useEffect(() => {
    const p = plot.current;
    if (!p) return;
    if (window) {
      const now = Date.now() / 1000;
      p.setData(data as uPlot.AlignedData, false);
      p.setScale("x", { min: now - window, max: now });
    } else {
      p.setData(data as uPlot.AlignedData);
    }
  });

  return (
    <figure className="chart" data-chart={def.id} data-points={data[0].length}>
      <figcaption>
        {def.title} ({def.unit})
      </figcaption>
      <div ref={host} aria-hidden="true" />
      <p className="sr-only">
        Latest: {def.series.map((s, i) => `${s.label} ${latest[i] == null ? "unknown" : Number(latest[i]).toFixed(1)}`).join(", ")}
      </p>
    </figure>
  );
}

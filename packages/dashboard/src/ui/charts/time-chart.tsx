import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { type ChartData, toUplotData } from '../../lib/stats-series.js';
import { formatChartValue } from '../../lib/usage-units.js';
import { chartColors } from './chart-colors.js';

const HEIGHT = 180;

/** Series labels and unit: when they change the chart is rebuilt, otherwise only fed data. */
const shapeOf = (chart: ChartData) => [chart.unit, ...chart.series.map((s) => s.label)].join('\n');

/**
 * A uPlot time-series chart. It is created once (after uPlot's chunk loads) and then only
 * given new data with `setData`, so live updates keep the cursor, legend and canvas; it is
 * rebuilt only when its series change (a link or pool appeared). Sized to its container.
 *
 * For the browser tests the element says what it drew: `data-series` (series count),
 * `data-points` (samples drawn), `data-updates` and `data-builds` (how often data was set
 * and how often the chart was built).
 */
export function TimeChart({
  chart,
  label,
  testId,
}: {
  chart: ChartData;
  label: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<{ instance: uPlot; shape: string } | null>(null);
  const latest = useRef(chart);
  latest.current = chart;
  const builds = useRef(0);
  const updates = useRef(0);
  /** Draws the latest data; set once uPlot has loaded. */
  const renderRef = useRef<(() => void) | undefined>(undefined);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let disposed = false;
    let observer: ResizeObserver | undefined;

    const render = (UPlot: typeof uPlot) => {
      const data = latest.current;
      const shape = shapeOf(data);
      if (plot.current && plot.current.shape === shape) {
        plot.current.instance.setData(toUplotData(data));
      } else {
        plot.current?.instance.destroy();
        plot.current = {
          instance: new UPlot(options(latest, el.clientWidth), toUplotData(data), el),
          shape,
        };
        builds.current++;
      }
      updates.current++;
      el.dataset.builds = String(builds.current);
      el.dataset.updates = String(updates.current);
    };

    void import('./uplot-module.js').then(({ default: UPlot }) => {
      if (disposed) return;
      render(UPlot);
      // Later data arrives through the effect below; remember how to draw it.
      renderRef.current = () => render(UPlot);
      observer = new ResizeObserver(() => {
        plot.current?.instance.setSize({ width: el.clientWidth, height: HEIGHT });
      });
      observer.observe(el);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      plot.current?.instance.destroy();
      plot.current = null;
      renderRef.current = undefined;
    };
  }, []);

  useEffect(() => {
    renderRef.current?.();
  }, [chart]);

  const points = chart.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
  return (
    <div
      ref={box}
      class="time-chart"
      role="img"
      aria-label={label}
      data-testid={testId}
      data-series={chart.series.length}
      data-points={points}
    />
  );
}

function options(current: { current: ChartData }, width: number): uPlot.Options {
  const chart = current.current;
  const colors = chartColors();
  const format = (v: number | null) => formatChartValue(chart.unit, v);
  const axis = {
    stroke: colors.text,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
  };
  return {
    width: Math.max(width, 200),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      // From zero, up to the quantity's own top when it has one, so 40 % looks like 40 %.
      y: {
        range: (_u, _min, max) => [0, Math.max(current.current.max ?? 0, max > 0 ? max * 1.1 : 1)],
      },
    },
    axes: [axis, { ...axis, size: 76, values: (_u, splits) => splits.map((v) => format(v)) }],
    series: [
      {},
      ...chart.series.map((s, i) => ({
        label: s.label,
        stroke: colors.series[i % colors.series.length],
        width: 1.5,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => format(v),
      })),
    ],
  };
}

/*
 * uPlot draws on a canvas, so it needs colour values, not CSS variables: they are read from
 * the theme's tokens when a chart is created.
 */
const SERIES_TOKENS = ['--accent', '--green', '--yellow', '--red', '--gray', '--brand'] as const;

export interface ChartColors {
  series: string[];
  text: string;
  grid: string;
}

export function chartColors(root: Element = document.documentElement): ChartColors {
  const style = getComputedStyle(root);
  const token = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    series: SERIES_TOKENS.map((t) => token(t, '#2f5bd3')),
    text: token('--text-3', '#6b7585'),
    grid: token('--border', '#e3e6eb'),
  };
}

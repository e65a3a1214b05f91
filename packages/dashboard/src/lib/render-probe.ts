/**
 * Counts renders of a component per id, for the browser test and benchmark that check a live
 * update renders only what changed. Inert unless the page defines `window.__apiaryRenders` (a
 * Map, set by the test before the app loads); the app itself never does.
 */
export function countRender(component: string, id: string): void {
  const renders = (globalThis as { __apiaryRenders?: Map<string, number> }).__apiaryRenders;
  if (!(renders instanceof Map)) return;
  const key = `${component}:${id}`;
  renders.set(key, (renders.get(key) ?? 0) + 1);
}

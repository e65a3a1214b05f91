// The built controller's in-process API (apps/controller/dist/embed.js), which the benchmarks
// that call its services directly import. A missing build ends the run with what to do.
export function importControllerEmbed() {
  return import(new URL('../../../apps/controller/dist/embed.js', import.meta.url).href).catch(
    () => {
      process.stderr.write('build the controller first: pnpm --filter @apiary/controller build\n');
      process.exit(1);
    },
  );
}

import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in packages/testkit/{src,dist}/). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const bins = {
  controller: `${repoRoot}apps/controller/bin/apiary-controller.js`,
  agent: `${repoRoot}apps/agent/bin/apiary-agent.js`,
  sim: `${repoRoot}packages/illumos-sim/bin/apiary-sim.js`,
  cli: `${repoRoot}packages/cli/bin/apiary.js`,
};

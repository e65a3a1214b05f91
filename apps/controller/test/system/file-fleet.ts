import { Fleet, type FleetOptions } from '@apiary/testkit';
import { afterAll, beforeAll } from 'vitest';

/**
 * The test file's fleet: started before its tests (then `ready` runs, to keep references and
 * set things up), destroyed after them, whatever happened in between.
 */
export function fleetForFile(
  options: FleetOptions,
  ready: (fleet: Fleet) => Promise<void> | void,
  timeoutMs = 120_000,
): void {
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    fleet = await Fleet.start(options);
    await ready(fleet);
  }, timeoutMs);
  afterAll(() => fleet?.destroy());
}

import { afterEach, describe, expect, it } from 'vitest';
import { createControllerCore } from '../../src/core.js';
import type { ControllerEvent } from '../../src/lib/event-bus.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * Two controllers on one PostgreSQL database: a dashboard's event stream on one of them shows
 * what the other did, once. (One controller on SQLite has nobody to tell.)
 */

let h: Harness;
afterEach(async () => h?.close());

describe.runIf(testEngine() === 'postgres')('events shared between controllers', () => {
  it("delivers one controller's events to the other's subscribers, each once", async () => {
    h = await createHarness();
    const other = await createControllerCore({
      config: h.core.ctx.config,
      database: h.database,
      log: h.core.ctx.log,
      processMetrics: false,
    });
    const here: ControllerEvent[] = [];
    const there: ControllerEvent[] = [];
    h.core.ctx.events.subscribe((e) => here.push(e));
    other.ctx.events.subscribe((e) => there.push(e));
    const event: ControllerEvent = {
      type: 'env.state',
      orgId: 'org_x',
      data: { id: 'web', state: 'active' },
    };
    h.core.ctx.events.publish(event);
    await expect.poll(() => there, { timeout: 5_000 }).toEqual([event]);
    // Its own message comes back through the database too, and is not delivered twice.
    await new Promise((r) => setTimeout(r, 300));
    expect(here).toEqual([event]);
    other.ctx.events.publish({ ...event, data: { id: 'db', state: 'stopped' } });
    await expect.poll(() => here.length, { timeout: 5_000 }).toBe(2);
    expect(there).toHaveLength(2);
    await other.stop();
  });
});

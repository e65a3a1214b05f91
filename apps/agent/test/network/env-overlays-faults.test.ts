import { addFault, readFaults, readState } from '@apiary/illumos-sim';
import type { OverlayEntry } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctPatterns } from '../helpers/fault-patterns.js';
import { hostSnapshot } from '../helpers/host-snapshot.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * Fault injection at every host command of making an environment overlay and of changing its
 * mapping: whichever command fails, before or after doing its work, no overlay link, address
 * or mapping file is left half made, and a failed change leaves the previous mapping in place.
 */

const entry = (mac: string, ip: string): OverlayEntry => ({
  mac,
  ip,
  underlay_ip: '192.168.1.10',
  underlay_port: 4789,
});
const PUT = {
  params: { env_id: 'ovfault' },
  body: { vni: 5000, subnet: '10.214.0.0/24', entries: [entry('2:0:10:0:0:1', '10.214.0.10')] },
};
const CHANGED = {
  ...PUT,
  body: { ...PUT.body, entries: [...PUT.body.entries, entry('2:0:10:0:0:2', '10.214.0.11')] },
};

async function inject(t: SimAgent, match: string, when: 'before' | 'after') {
  await addFault(t.simRoot, { match, count: 1, exit_code: 1, stderr: 'simulated failure\n', when });
}

function fired(t: SimAgent, match: string): boolean {
  return !readFaults(t.simRoot).some((f) => f.match === match && (f.count ?? 1) > 0);
}

describe('a command failing once while an environment overlay is made or changed', () => {
  let t: SimAgent;
  let baseline: ReturnType<typeof hostSnapshot>;
  let createPatterns: string[];
  let changePatterns: string[];
  beforeAll(async () => {
    t = await simAgent({ init: { links: ['e1000g0'] } });
    baseline = hostSnapshot(t.simRoot);
    let mark = t.commands().length;
    await t.api.putEnvOverlay(PUT);
    createPatterns = distinctPatterns(t.commands().slice(mark));
    mark = t.commands().length;
    await t.api.putEnvOverlay(CHANGED);
    changePatterns = distinctPatterns(t.commands().slice(mark));
    await t.api.deleteEnvOverlay({ params: { env_id: 'ovfault' } });
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });

  it('runs the commands expected in the reference runs', () => {
    expect(createPatterns).toEqual([
      'ipadm show-addr -p -o addrobj,type,state,addr',
      'dladm create-overlay -e vxlan -s files -p vxlan/listen_ip=192.168.1.10,vxlan/listen_port=4789,files/config=/var/apiary/overlays/vni5000.json -v 5000 apiaryov50000',
    ]);
    expect(changePatterns).toEqual(['svcadm restart svc:/network/varpd:default']);
  });

  for (const when of ['before', 'after'] as const) {
    it(`leaves no half-made overlay, for each command of a create (fault ${when})`, async () => {
      for (const match of createPatterns) {
        await inject(t, match, when);
        const failed = await t.api.putEnvOverlay(PUT).then(
          () => false,
          () => true,
        );
        expect(fired(t, match), match).toBe(true);
        expect(failed, match).toBe(true);
        expect(hostSnapshot(t.simRoot), match).toEqual(baseline);
        expect((await t.api.listEnvOverlays()).items, match).toEqual([]);
      }
    }, 300_000);

    it(`keeps the previous mapping when a change fails (fault ${when})`, async () => {
      await t.api.putEnvOverlay(PUT);
      const made = hostSnapshot(t.simRoot);
      for (const match of changePatterns) {
        await inject(t, match, when);
        const failed = await t.api.putEnvOverlay(CHANGED).then(
          () => false,
          () => true,
        );
        expect(fired(t, match), match).toBe(true);
        expect(failed, match).toBe(true);
        expect(hostSnapshot(t.simRoot), match).toEqual(made);
        const [overlay] = (await t.api.listEnvOverlays()).items;
        expect(overlay?.entries, match).toEqual(PUT.body.entries);
      }
      // And the change goes through when asked again.
      await t.api.putEnvOverlay(CHANGED);
      const link = readState(t.simRoot).links.find((l) => l.name === 'apiaryov50000');
      expect(link?.overlay?.mapping).toHaveLength(2);
      await t.api.deleteEnvOverlay({ params: { env_id: 'ovfault' } });
      expect(hostSnapshot(t.simRoot)).toEqual(baseline);
    }, 300_000);
  }
});

import { addFault, clearFaults, readFaults, writeZvol } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctPatterns } from './helpers/fault-patterns.js';
import { type HostSnapshot, hostSnapshot } from './helpers/host-snapshot.js';
import { finished, type ServedAgent, servedAgent } from './helpers/migration-pair.js';

/*
 * Fault injection at every host command of both halves of a move (issue 15): the export on
 * the source and the commit on the target. Whatever command fails, the operation ends done or
 * undone, and giving the move up (the export forgotten, the import aborted) leaves both hosts
 * as they were: the VM as it was on the source, nothing of it on the target.
 */

const ID = 'mvf';
let a: ServedAgent;
let b: ServedAgent;
let emptyB: HostSnapshot;

beforeAll(async () => {
  [a, b] = await Promise.all([servedAgent(), servedAgent()]);
  emptyB = hostSnapshot(b.simRoot);
  const op = await finished(
    a,
    a.api.createVm({ body: { id: ID, env_id: 'mvf', image: 'box', disk: 1024, ports: [8080] } }),
  );
  expect(op.state).toBe('succeeded');
  writeZvol(a.simRoot, `rpool/apiary/vms/${ID}/disk0`, 'payload');
}, 120_000);

async function openImport() {
  const spec = await a.remote.migrationSpec({ params: { id: ID } });
  return b.remote.openImport({ body: { spec } });
}

function exportTo(opened: { upload_url: string; transfer_token: string }) {
  return finished(
    a,
    a.remote.startExport({
      body: {
        vm_id: ID,
        target_url: opened.upload_url,
        transfer_token: opened.transfer_token,
        snapshot: 'm1',
      },
    }),
  );
}

/** Give the move up: the export's snapshot and the import go. */
async function giveUp(opened: { import_id: string }) {
  const exports = a.agent.db.$client.prepare('select id from migration_exports').all() as Array<{
    id: `exp_${string}`;
  }>;
  for (const e of exports) await a.remote.deleteExport({ params: { id: e.id } });
  await b.remote.abortImport({ params: { id: opened.import_id as `imp_${string}` } });
}

/** The operation's end, or `refused` when the request itself failed (nothing was started). */
async function outcome(t: ServedAgent, accepted: Promise<{ operation: { id: string } }>) {
  try {
    const op = await finished(t, accepted);
    return { state: op.state, msg: op.error?.msg ?? '' };
  } catch (error) {
    return { state: 'refused' as const, msg: (error as Error).message };
  }
}

async function faultOnce(root: string, match: string) {
  await addFault(root, { match, count: 1, exit_code: 1, stderr: 'simulated failure\n' });
}

function fired(root: string, match: string): boolean {
  return !readFaults(root).some((f) => f.match === match && (f.count ?? 1) > 0);
}

describe('a command failing once during a move', () => {
  it('on the source while exporting: done, or undone with nothing left on either host', async () => {
    const before = hostSnapshot(a.simRoot);
    const opened = await openImport();
    const mark = a.commands().length;
    expect((await exportTo(opened)).state).toBe('succeeded');
    const patterns = distinctPatterns(a.commands().slice(mark)).filter(
      (p) => !p.startsWith('kstat'),
    );
    await giveUp(opened);
    expect(hostSnapshot(a.simRoot)).toEqual(before);
    expect(hostSnapshot(b.simRoot)).toEqual(emptyB);
    for (const match of patterns) {
      const again = await openImport();
      await faultOnce(a.simRoot, match);
      const op = await outcome(
        a,
        a.remote.startExport({
          body: {
            vm_id: ID,
            target_url: again.upload_url,
            transfer_token: again.transfer_token,
            snapshot: 'm1',
          },
        }),
      );
      expect(fired(a.simRoot, match), match).toBe(true);
      await clearFaults(a.simRoot);
      if (op.state !== 'succeeded') expect(hostSnapshot(a.simRoot), match).toEqual(before);
      await giveUp(again);
      expect(hostSnapshot(a.simRoot), match).toEqual(before);
      expect(hostSnapshot(b.simRoot), match).toEqual(emptyB);
      expect((await a.api.getVm({ params: { id: ID } })).state).toBe('running');
    }
  }, 600_000);

  it('on the target while committing: done, or undone to an open import; abort leaves nothing', async () => {
    const prepare = async () => {
      const opened = await openImport();
      expect((await exportTo(opened)).state).toBe('succeeded');
      return opened;
    };
    const first = await prepare();
    const received = hostSnapshot(b.simRoot);
    const mark = b.commands().length;
    const clean = await finished(
      b,
      b.remote.commitImport({
        params: { id: first.import_id as `imp_${string}` },
        body: { start: true },
      }),
    );
    expect(clean.state, clean.error?.msg).toBe('succeeded');
    const patterns = distinctPatterns(b.commands().slice(mark)).filter(
      (p) => !p.startsWith('kstat'),
    );
    await finished(b, b.api.deleteVm({ params: { id: ID } }));
    await a.remote.deleteExport({
      params: {
        id: (
          a.agent.db.$client.prepare('select id from migration_exports').get() as {
            id: `exp_${string}`;
          }
        ).id,
      },
    });
    expect(hostSnapshot(b.simRoot)).toEqual(emptyB);
    for (const match of patterns) {
      const opened = await prepare();
      await faultOnce(b.simRoot, match);
      const op = await outcome(
        b,
        b.remote.commitImport({
          params: { id: opened.import_id as `imp_${string}` },
          body: { start: true },
        }),
      );
      expect(fired(b.simRoot, match), match).toBe(true);
      await clearFaults(b.simRoot);
      if (op.state !== 'succeeded') {
        expect(hostSnapshot(b.simRoot), `${match}: ${op.msg}`).toEqual(received);
        expect((await b.api.getVm({ params: { id: ID } })).state).toBe('importing');
        await giveUp(opened);
      } else {
        await finished(b, b.api.deleteVm({ params: { id: ID } }));
        const exp = a.agent.db.$client.prepare('select id from migration_exports').get() as {
          id: `exp_${string}`;
        };
        await a.remote.deleteExport({ params: { id: exp.id } });
      }
      expect(hostSnapshot(b.simRoot), match).toEqual(emptyB);
      expect((await b.api.info()).resources.used, match).toEqual({ cpu: 0, mem: 0, disk: 0 });
    }
  }, 900_000);
});

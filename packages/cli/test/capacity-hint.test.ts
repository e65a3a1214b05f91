import type { Host } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { needOf, neverFitsHint } from '../src/lib/capacity-hint.js';

const host = (cpu: number, mem: number, disk: number) =>
  ({ capacity: { total: { cpu, mem, disk } } }) as unknown as Host;

describe('the capacity hint', () => {
  it('says when no host could ever fit the VM, with the largest sizes', () => {
    const hint = neverFitsHint({ cpu: 64, mem: 1024, disk: 40_960 }, [
      host(8, 32_768, 500_000),
      host(16, 16_384, 200_000),
    ]);
    expect(hint).toMatch(/^no host could ever fit this VM \(64 vCPUs, .*the largest have 16 vCPUs/);
    expect(hint).not.toContain('envs delete');
  });

  it('has nothing to add when some host is large enough (capacity is only in use)', () => {
    expect(neverFitsHint({ cpu: 8, mem: 1024, disk: 40_960 }, [host(8, 32_768, 500_000)])).toBe(
      null,
    );
    // Each resource must fit on the same host: cpu on one and memory on another is no fit.
    expect(
      neverFitsHint({ cpu: 16, mem: 32_768, disk: 1024 }, [
        host(16, 16_384, 500_000),
        host(8, 32_768, 500_000),
      ]),
    ).not.toBe(null);
  });

  it("fills in the schema's defaults for what the request left out", () => {
    expect(needOf({ id: 'x', vms: [{ image: 'a', cpu: 4 }] } as never, 0)).toEqual({
      cpu: 4,
      mem: 1024,
      disk: 40_960,
    });
  });
});

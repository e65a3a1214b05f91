import { readState } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { portAttrs, readPortAttrs } from '../src/vms/zone-spec.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

describe('port forwards in zone attrs', () => {
  it('splits 32 five-digit forwards over attrs of under 256 bytes and reads them back', () => {
    const ports = Array.from({ length: 32 }, (_, i) => ({
      guestPort: 60000 + i,
      hostPort: 65000 + i,
    }));
    const attrs = portAttrs(ports);
    expect(attrs.length).toBeGreaterThan(1);
    for (const [name, value] of attrs) {
      expect(name).toMatch(/^apiary-ports(-\d+)?$/);
      expect(value.length).toBeLessThan(256);
    }
    expect(readPortAttrs(Object.fromEntries(attrs))).toEqual(
      ports.map((p) => [p.guestPort, p.hostPort]),
    );
    expect(portAttrs([])).toEqual([['apiary-ports', '']]);
  });

  it('creates a VM with 32 forwards and adopts it with all of them after the database is lost', async () => {
    const first = await simAgent({ flags: ['--port-range', '50000-50999'] });
    const image = buildZfsImage({ content: 'disk\n' });
    await first.api.uploadImage({
      query: { name: 'img', format: 'zfs-send' },
      body: image.stream,
      contentLength: image.stream.length,
    });
    // Port 22 is always forwarded: 31 more make the most a VM may have.
    const guestPorts = Array.from({ length: 31 }, (_, i) => 40000 + i);
    await first.api.createVm({
      body: { id: 'many-0', env_id: 'many', image: 'img', ports: guestPorts, ssh_keys: [KEY] },
    });
    await first.settle();
    const vm = await first.api.getVm({ params: { id: 'many-0' } });
    expect(vm.state).toBe('running');
    const zone = readState(first.simRoot).zones.find((z) => z.name === 'many-0');
    const portAttrNames = zone?.config.resources
      .filter((r) => r.type === 'attr' && String(r.props.name).startsWith('apiary-ports'))
      .map((r) => r.props.name);
    expect(portAttrNames?.length).toBeGreaterThan(1);
    await first.agent.stop();

    // A new data dir: everything is rediscovered from the host.
    const again = await simAgent({ simRoot: first.simRoot });
    const adopted = await again.api.getVm({ params: { id: 'many-0' } });
    expect(
      Object.keys(adopted.port_map)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([22, ...guestPorts]);
    expect(adopted.port_map).toEqual(vm.port_map);
  }, 120_000);
});

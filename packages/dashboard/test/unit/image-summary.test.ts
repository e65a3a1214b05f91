import { describe, expect, it } from 'vitest';
import { imageChoiceLabel, imageOrigin } from '../../src/lib/image-summary.js';

describe('image summaries', () => {
  it('shows OS and cloud-init in the env form when the image says them', () => {
    expect(
      imageChoiceLabel(
        {
          name: 'debian-12',
          os: 'debian',
          version: '12',
          arch: null,
          cloud_init: true,
          format: 'raw',
        },
        '2.0 GiB',
      ),
    ).toBe('debian-12 · debian 12 · cloud-init · raw · 2.0 GiB');
    expect(
      imageChoiceLabel(
        { name: 'old', os: null, version: null, arch: null, cloud_init: null, format: 'zfs-send' },
        '1 GiB',
      ),
    ).toBe('old · zfs-send · 1 GiB');
    expect(
      imageChoiceLabel(
        {
          name: 'omni',
          os: 'omnios',
          version: null,
          arch: null,
          cloud_init: false,
          format: 'zfs-send',
        },
        '1 GiB',
      ),
    ).toBe('omni · omnios · no cloud-init · zfs-send · 1 GiB');
  });

  it('names a box or a converted source', () => {
    expect(
      imageOrigin({
        box: { name: 'acme/debian', version: '1.2.0', provider: 'bhyve', registry_id: null },
        source_format: 'box',
        format: 'raw',
      }),
    ).toBe('box acme/debian@1.2.0 (bhyve)');
    expect(imageOrigin({ box: null, source_format: 'qcow2', format: 'raw' })).toBe('from qcow2');
    expect(imageOrigin({ box: null, source_format: 'raw', format: 'raw' })).toBe('');
  });
});

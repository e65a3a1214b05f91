import { describe, expect, it } from 'vitest';
import { ImageName, imageFormatFromFile, imageNameFromFile } from '../src/index.js';

describe('imageNameFromFile', () => {
  it('derives a valid image name from a file name', () => {
    expect(imageNameFromFile('Alpine-3.20.zfs')).toBe('alpine-3.20');
    expect(imageNameFromFile('My Image (v2).raw')).toBe('my-image-v2');
    expect(imageNameFromFile('..hidden..name.img')).toBe('hidden.name');
    for (const file of ['Alpine-3.20.zfs', 'My Image (v2).raw', `${'x'.repeat(80)}.img`]) {
      expect(ImageName.safeParse(imageNameFromFile(file)).success).toBe(true);
    }
  });
});

describe('imageFormatFromFile', () => {
  it('takes .raw and .img for raw disks and anything else for a zfs send stream', () => {
    expect(imageFormatFromFile('disk.RAW')).toBe('raw');
    expect(imageFormatFromFile('disk.img')).toBe('raw');
    expect(imageFormatFromFile('alpine.zfs')).toBe('zfs-send');
    expect(imageFormatFromFile('alpine')).toBe('zfs-send');
  });

  it('takes .qcow2 for a qcow2 the controller converts', () => {
    expect(imageFormatFromFile('debian-12-genericcloud-amd64.qcow2')).toBe('qcow2');
    expect(imageNameFromFile('debian-12-genericcloud-amd64.qcow2')).toBe(
      'debian-12-genericcloud-amd64',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { imageNameFromFile } from '../../src/views/images/upload.js';

describe('imageNameFromFile', () => {
  it('derives a valid image name from a file name', () => {
    expect(imageNameFromFile('Alpine-3.20.zfs')).toBe('alpine-3.20');
    expect(imageNameFromFile('My Image (v2).raw')).toBe('my-image-v2');
    expect(imageNameFromFile('..hidden..name.img')).toBe('hidden.name');
  });
});

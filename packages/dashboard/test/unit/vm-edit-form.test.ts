import type { Vm } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import {
  diskFromText,
  imageNameFromText,
  snapshotNameFromText,
} from '../../src/lib/vm-change-fields.js';
import { sizeText, vmEditDefaults, vmUpdateFromForm } from '../../src/lib/vm-edit-form.js';

const vm = {
  id: 'web-1',
  cpu: 2,
  mem: 1024,
  disk: 40_960,
  ports: [22, 80],
  deny_outgoing: false,
} as Vm;

const form = (changes: Partial<ReturnType<typeof vmEditDefaults>>) => ({
  ...vmEditDefaults(vm),
  ...changes,
});

describe('the VM edit form', () => {
  it('starts from the VM as it is, sizes written as a person types them', () => {
    expect(vmEditDefaults(vm)).toEqual({
      cpu: '2',
      mem: '1G',
      disk: '40G',
      ports: '80',
      deny_outgoing: false,
      restart: false,
    });
    expect(sizeText(1536)).toBe('1536M');
  });

  it('sends only what changed, and whether to restart now', () => {
    expect(vmUpdateFromForm(vm, form({ cpu: '4', mem: '8G', restart: true }))).toEqual({
      ok: true,
      body: { cpu: 4, mem: 8192 },
      restart: true,
    });
    expect(vmUpdateFromForm(vm, form({ ports: '80, 443', deny_outgoing: true }))).toEqual({
      ok: true,
      body: { ports: [80, 443], deny_outgoing: true },
      restart: false,
    });
  });

  it('treats the same ports in another order, or with 22 written, as no change', () => {
    expect(vmUpdateFromForm(vm, form({ ports: '22 80' }))).toEqual({
      ok: false,
      errors: { form: 'Nothing changed' },
    });
  });

  it('refuses a smaller boot disk, saying how big it is', () => {
    expect(vmUpdateFromForm(vm, form({ disk: '20G' }))).toEqual({
      ok: false,
      errors: { disk: 'the boot disk only grows (it is 40 GiB)' },
    });
  });

  it('states each problem on its field, limits in binary units', () => {
    const result = vmUpdateFromForm(vm, form({ cpu: 'x', mem: '128M', ports: '80 http' }));
    expect(result).toEqual({
      ok: false,
      errors: {
        cpu: 'must be a whole number',
        mem: 'at least 256 MiB',
        ports: 'http is not a port number',
      },
    });
    expect(vmUpdateFromForm(vm, form({ mem: 'lots' }))).toMatchObject({
      ok: false,
      errors: { mem: expect.stringMatching(/^invalid size "lots"/) },
    });
  });
});

describe('one-field forms', () => {
  it('read a new disk size, with its limits in binary units', () => {
    expect(diskFromText('20G')).toEqual({ ok: true, value: { size: 20_480 } });
    expect(diskFromText('20T')).toEqual({ ok: false, error: 'at most 16 TiB' });
    expect(diskFromText('big')).toMatchObject({ ok: false });
  });

  it('check snapshot and image names with the API’s own grammar', () => {
    expect(snapshotNameFromText(' before-upgrade ')).toEqual({ ok: true, value: 'before-upgrade' });
    expect(snapshotNameFromText('-rf')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/starting with a letter/),
    });
    expect(imageNameFromText('Web Golden')).toMatchObject({ ok: false });
    expect(imageNameFromText('web-golden')).toEqual({ ok: true, value: 'web-golden' });
  });
});

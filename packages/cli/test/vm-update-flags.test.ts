import { UpdateVmReq } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/lib/errors.js';
import { InvalidInput } from '../src/lib/flag-issues.js';
import {
  diskNumberArgument,
  diskSizeArgument,
  type ResizeFlags,
  resizeRequestFromFlags,
  type SetFlags,
  setRequestFromFlags,
} from '../src/lib/vm-update-flags.js';

/** The problems the CLI reports for these flags (none: the request was built). */
function problems(build: () => unknown): string[] {
  try {
    build();
    return [];
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
}
const resize = (flags: ResizeFlags) => problems(() => resizeRequestFromFlags(flags));
const set = (flags: SetFlags) => problems(() => setRequestFromFlags(flags));

describe('apiary vms resize flags', () => {
  it('read sizes as people write them into the MiB the API takes', () => {
    expect(resizeRequestFromFlags({ cpu: '4', mem: '8G', disk: '60G' })).toEqual({
      cpu: 4,
      mem: 8192,
      disk: 61_440,
    });
    expect(resizeRequestFromFlags({ mem: '512M' })).toEqual({ mem: 512 });
    expect(resizeRequestFromFlags({ mem: '2048' })).toEqual({ mem: 2048 });
  });

  it('send only what was given', () => {
    const body = resizeRequestFromFlags({ cpu: '2' });
    expect(Object.keys(body)).toEqual(['cpu']);
    expect(UpdateVmReq.parse(body)).toEqual({ cpu: 2 });
  });

  it('say each problem on its flag, sizes in binary units', () => {
    expect(resize({ cpu: 'two', mem: '20X' })).toEqual([
      '--cpu two: must be a whole number',
      '--mem 20X: invalid size "20X": use e.g. 512M, 20G or 1T (a bare number is MiB)',
    ]);
    expect(resize({ mem: '128M' })).toEqual(['--mem 128M: at least 256 MiB']);
    expect(resize({ disk: '99T' })).toEqual(['--disk 99T: at most 16 TiB']);
    expect(resize({ cpu: '65' })).toEqual(['--cpu 65: at most 64']);
  });

  it('is a usage error without anything to change', () => {
    expect(() => resizeRequestFromFlags({})).toThrow(UsageError);
  });
});

describe('apiary vms set flags', () => {
  it('send the whole port list and the egress switch', () => {
    expect(setRequestFromFlags({ ports: '80,443 8080' })).toEqual({ ports: [80, 443, 8080] });
    expect(setRequestFromFlags({ denyOutgoing: true })).toEqual({ deny_outgoing: true });
    expect(setRequestFromFlags({ allowOutgoing: true })).toEqual({ deny_outgoing: false });
  });

  it('name the port that is wrong', () => {
    expect(set({ ports: '80,x,99999' })).toEqual([
      '--ports 80,x,99999: x is not a port number',
      '--ports 99999: at most 65535',
    ]);
    expect(set({ ports: '80,80' })).toEqual(['--ports 80: duplicate port 80']);
  });

  it('refuse contradictory or missing flags as usage errors', () => {
    expect(() => setRequestFromFlags({ denyOutgoing: true, allowOutgoing: true })).toThrow(
      /contradict/,
    );
    expect(() => setRequestFromFlags({})).toThrow(UsageError);
  });
});

describe('disk arguments', () => {
  it('read a size and a disk number, refusing anything else as a usage error', () => {
    expect(diskSizeArgument('20G')).toBe(20_480);
    expect(() => diskSizeArgument('big')).toThrow(UsageError);
    expect(diskNumberArgument('1')).toBe(1);
    expect(() => diskNumberArgument('disk1')).toThrow(/not a disk number/);
  });
});

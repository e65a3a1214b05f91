import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEnvReq } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { createEnvRequestFromFlags, defaultSshKey, type EnvFlags } from '../src/lib/env-request.js';
import { UsageError } from '../src/lib/errors.js';
import { InvalidInput } from '../src/lib/flag-issues.js';
import { sshKey, tempDir } from './fixtures.js';

const emptyHome = tempDir();

/** The problems the CLI reports for these flags (none: the request was built). */
function problems(flags: EnvFlags): string[] {
  try {
    createEnvRequestFromFlags({ id: 'dev', image: 'alpine-cloud', sshKey: [sshKey()], ...flags });
    return [];
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
}

describe('createEnvRequestFromFlags', () => {
  it('builds N identical VMs from flags', () => {
    const req = createEnvRequestFromFlags(
      {
        id: 'dev',
        image: 'alpine-cloud',
        count: '3',
        cpu: '4',
        port: ['80', '443'],
        sshKey: [sshKey()],
      },
      emptyHome,
    );
    const parsed = CreateEnvReq.parse(req);
    expect(parsed.vms).toHaveLength(3);
    expect(parsed.vms[0]).toMatchObject({ cpu: 4, mem: 1024, ports: [22, 80, 443] });
  });

  it('builds VMs that install from an ISO onto an empty disk of --disk MiB', () => {
    const req = createEnvRequestFromFlags(
      { id: 'inst', bootIso: 'debian-12', disk: '20480', count: '2', sshKey: [sshKey()] },
      emptyHome,
    );
    const parsed = CreateEnvReq.parse(req);
    expect(parsed.vms).toHaveLength(2);
    expect(parsed.vms[0]).toMatchObject({ boot_iso: 'debian-12', disk: 20480 });
    expect(parsed.vms[0]?.image).toBeUndefined();
  });

  it('reads the seed example from a YAML file, and flags override it', () => {
    const dir = tempDir();
    const file = join(dir, 'env.yaml');
    writeFileSync(
      file,
      `id: my-env\nowner: alice\nssh_keys:\n  - "${sshKey()}"\nvms:\n  - image: alpine-cloud\n    mem: 2048\n    ports: [80]\nlifetime: 21600\n`,
    );
    const req = CreateEnvReq.parse(createEnvRequestFromFlags({ file, lifetime: '2h' }, emptyHome));
    expect(req).toMatchObject({ id: 'my-env', owner: 'alice', lifetime: 7200 });
    expect(req.vms[0]).toMatchObject({ mem: 2048, ports: [22, 80] });
  });

  it('reads a JSON file', () => {
    const file = join(tempDir(), 'env.json');
    writeFileSync(file, JSON.stringify({ id: 'j', ssh_keys: [sshKey()], vms: [{ image: 'a' }] }));
    expect(createEnvRequestFromFlags({ file }, emptyHome).id).toBe('j');
  });

  it('uses ~/.ssh/id_ed25519.pub when no key is given', () => {
    const home = tempDir();
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), `${sshKey('me@home')}\n`);
    const req = createEnvRequestFromFlags({ id: 'k', image: 'a' }, home);
    expect(req.ssh_keys).toEqual([sshKey('me@home')]);
  });

  it('says what is missing instead of sending a half request', () => {
    const build = (flags: EnvFlags) => () => createEnvRequestFromFlags(flags, emptyHome);
    expect(build({ image: 'a', sshKey: [sshKey()] })).toThrow(/environment id is required/);
    expect(build({ id: 'x', sshKey: [sshKey()] })).toThrow(
      /no VMs: give --image IMAGE or --boot-iso/,
    );
    expect(build({ id: 'x', image: 'a' })).toThrow(
      'no SSH key to give the VMs (none in ~/.ssh/*.pub): make one with `ssh-keygen -t ed25519`, or pass one with --ssh-key @FILE.pub',
    );
    expect(build({ id: 'x', image: 'a', lifetime: 'soon' })).toThrow(UsageError);
  });

  it('reports a malformed file with its path', () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => createEnvRequestFromFlags({ file }, emptyHome)).toThrow(/bad\.json/);
  });
});

describe('problems with flags', () => {
  it('are said on the flag, in the unit it was typed in', () => {
    expect(problems({ lifetime: '400d' })).toEqual(['--lifetime 400d: at most 30d']);
    expect(problems({ lifetime: '30s' })).toEqual(['--lifetime 30s: at least 1m']);
    expect(problems({ count: '0' })).toEqual(['--count 0: at least 1']);
    expect(problems({ count: '65' })).toEqual(['--count 65: at most 64']);
    expect(problems({ mem: '128' })).toEqual(['--mem 128: at least 256 MiB']);
    expect(problems({ disk: '99999999' })).toEqual(['--disk 99999999: at most 16 TiB']);
  });

  it('name --boot-iso when it is given with --image, or is not a name', () => {
    expect(problems({ bootIso: 'debian-12' })).toEqual([
      '--boot-iso debian-12: give image or boot_iso, not both',
    ]);
    expect(problems({ image: undefined, bootIso: ' ' })).toEqual(["--boot-iso ' ': is required"]);
  });

  it('are reported once for all the copies of a VM', () => {
    expect(problems({ count: '8', cpu: '999' })).toEqual(['--cpu 999: at most 64']);
  });

  it('name the value typed, and every problem at once', () => {
    expect(problems({ id: 'Bad Name', cpu: 'two', port: ['80', '80', '99999'] })).toEqual([
      '--cpu two: must be a whole number',
      "--id 'Bad Name': must be 1-40 lowercase letters, digits or inner dashes (e.g. my-env)",
      '--port 99999: at most 65535',
      '--port 80: duplicate port 80',
    ]);
    expect(problems({ image: 'Not An Image!' })[0]).toMatch(
      /^--image 'Not An Image!': must be sha256:<64 lowercase hex> or must be 1-63 lowercase/,
    );
  });

  it('point into the file for values that came from it', () => {
    const file = join(tempDir(), 'env.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'f',
        ssh_keys: [sshKey()],
        vms: [{ image: 'a' }, { image: 'b', mem: 64 }],
        lifetime: 31 * 86_400,
        colour: 'blue',
      }),
    );
    expect(() => createEnvRequestFromFlags({ file }, emptyHome)).toThrow(InvalidInput);
    try {
      createEnvRequestFromFlags({ file }, emptyHome);
    } catch (error) {
      expect((error as InvalidInput).problems).toEqual([
        `${file}: vms.1.mem: at least 256 MiB`,
        `${file}: lifetime: at most 30d`,
        `${file}: unknown field colour`,
      ]);
    }
  });
});

describe('the default SSH key', () => {
  it("takes ssh's preferred key, else any other ~/.ssh/*.pub, else none", () => {
    const home = tempDir();
    expect(defaultSshKey(home)).toBeUndefined();
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'work.pub'), `${sshKey('work')}\n`);
    expect(defaultSshKey(home)).toBe(sshKey('work'));
    writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), `${sshKey('main')}\n`);
    expect(defaultSshKey(home)).toBe(sshKey('main'));
  });
});

import { describe, expect, it } from 'vitest';
import {
  buildCreateEnvRequest,
  CreateEnvReq,
  type EnvRequestText,
  envRequestBound,
  issueMessage,
} from '../src/index.js';
import { sshKey } from './fixtures.js';

const typed = (patch: EnvRequestText = {}): EnvRequestText => ({
  id: 'web-1',
  image: 'alpine-cloud',
  ssh_keys: [sshKey()],
  ...patch,
});

describe('buildCreateEnvRequest', () => {
  it('builds count identical VMs from typed text', () => {
    const { request, issues } = buildCreateEnvRequest(
      typed({ count: '3', cpu: ' 4 ', mem: '2048', ports: '80, 443 8080', deny_outgoing: true }),
    );
    expect(issues).toEqual([]);
    const parsed = CreateEnvReq.parse(request);
    expect(parsed.vms).toHaveLength(3);
    expect(parsed.vms[2]).toMatchObject({
      image: 'alpine-cloud',
      cpu: 4,
      mem: 2048,
      disk: 40_960,
      ports: [22, 80, 443, 8080],
      deny_outgoing: true,
    });
  });

  it('leaves blank fields to the defaults and keeps a base request under the typed fields', () => {
    const base = { id: 'from-file', owner: 'alice', vms: [{ image: 'a' }, { image: 'b' }] };
    const { request, issues } = buildCreateEnvRequest(
      { owner: '  ', lifetime: 7200, ssh_keys: [sshKey()] },
      base,
    );
    expect(issues).toEqual([]);
    expect(request).toMatchObject({ id: 'from-file', owner: 'alice', lifetime: 7200 });
    expect(request.vms).toEqual(base.vms);
    const blank = buildCreateEnvRequest(typed({ cpu: '', count: ' ' }));
    expect(blank.issues).toEqual([]);
    expect(blank.request.vms).toEqual([{ image: 'alpine-cloud' }]);
  });

  it('reports words where numbers belong as whole-number issues on their fields', () => {
    const { issues } = buildCreateEnvRequest(typed({ cpu: 'two', count: '1.5', ports: '80 http' }));
    expect(issues).toEqual([
      expect.objectContaining({ path: 'vms', code: 'invalid_type', expected: 'int' }),
      expect.objectContaining({ path: 'vms.0.cpu', code: 'invalid_type', expected: 'int' }),
      expect.objectContaining({ path: 'vms.0.ports', message: '"http" is not a port number' }),
    ]);
  });

  it("reports the schema's refusals once, for the first of identical VMs", () => {
    const { issues } = buildCreateEnvRequest(typed({ count: '5', cpu: '999', ports: '80 80' }));
    expect(issues).toEqual([
      expect.objectContaining({ path: 'vms.0.cpu', code: 'too_big', maximum: 64 }),
      expect.objectContaining({ path: 'vms.0.ports.1', message: 'duplicate port 80' }),
    ]);
  });

  it('lets the schema state the VM count limits', () => {
    const none = buildCreateEnvRequest(typed({ count: '0' })).issues;
    expect(none).toEqual([
      expect.objectContaining({ path: 'vms', code: 'too_small', origin: 'array', minimum: 1 }),
    ]);
    const huge = buildCreateEnvRequest(typed({ count: '999999999' }));
    expect(huge.issues).toEqual([
      expect.objectContaining({ path: 'vms', code: 'too_big', maximum: 64 }),
    ]);
    expect((huge.request.vms ?? []).length).toBeLessThan(10_000);
  });

  it('requires an image, once, and checks the lifetime', () => {
    const { issues } = buildCreateEnvRequest(
      typed({ image: ' ', count: '3', lifetime: Number.NaN }),
    );
    expect(issues).toEqual([
      expect.objectContaining({ path: 'vms.0.image', expected: 'nonoptional' }),
      expect.objectContaining({ path: 'lifetime', code: 'invalid_type', expected: 'number' }),
    ]);
    const long = buildCreateEnvRequest(typed({ lifetime: 400 * 86_400 })).issues;
    expect(long).toEqual([expect.objectContaining({ path: 'lifetime', maximum: 2_592_000 })]);
  });

  it('builds VMs that install from an ISO onto an empty disk of the typed size', () => {
    const { request, issues } = buildCreateEnvRequest(
      typed({ image: undefined, boot_iso: ' debian-12 ', disk: '20480', count: '2' }),
    );
    expect(issues).toEqual([]);
    const parsed = CreateEnvReq.parse(request);
    expect(parsed.vms).toHaveLength(2);
    expect(parsed.vms[1]).toMatchObject({ boot_iso: 'debian-12', disk: 20_480 });
    expect(parsed.vms[1]?.image).toBeUndefined();
  });

  it('refuses an image and an ISO together, and a blank ISO, on the boot_iso field', () => {
    const both = buildCreateEnvRequest(typed({ boot_iso: 'debian-12' })).issues;
    expect(both).toEqual([
      expect.objectContaining({
        path: 'vms.0.boot_iso',
        message: 'give image or boot_iso, not both',
      }),
    ]);
    const blank = buildCreateEnvRequest(typed({ image: undefined, boot_iso: '  ' })).issues;
    expect(blank).toEqual([
      expect.objectContaining({ path: 'vms.0.boot_iso', expected: 'nonoptional' }),
    ]);
  });
});

describe('envRequestBound', () => {
  it('states the limits of each field in its own unit', () => {
    const say = (patch: EnvRequestText) =>
      buildCreateEnvRequest(typed(patch)).issues.map((i) =>
        issueMessage(i, envRequestBound(i.path)),
      );
    expect(say({ lifetime: 400 * 86_400 })).toEqual(['at most 30d']);
    expect(say({ mem: '100', disk: '99999999' })).toEqual(['at least 256 MiB', 'at most 16 TiB']);
    expect(say({ count: '0' })).toEqual(['at least 1']);
    expect(say({ cpu: '99' })).toEqual(['at most 64']);
    expect(envRequestBound('ssh_keys')).toBeUndefined();
  });
});

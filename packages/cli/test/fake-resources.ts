import type { Env, Vm, VmOperation } from '@apiary/protocol';

/*
 * Resources as the controller answers them, for the render tests: complete and typed, so a
 * field the protocol adds shows up here once instead of in every test. Each test states only
 * what its rendering depends on, as overrides.
 */

/** When every fake was created and last changed, unless a test says otherwise. */
export const FAKE_TIME = '2026-01-01T00:00:00.000Z';

/** A running 2-vCPU VM `web-1` of environment `dev` on host_1. */
export function fakeVm(overrides: Partial<Vm> = {}): Vm {
  return {
    id: 'web-1',
    env_id: 'dev',
    host_id: 'host_1',
    host_addr: '10.0.0.5',
    image: 'alpine',
    image_digest: null,
    engine: 'bhyve',
    cpu: 2,
    mem: 1024,
    disk: 40_960,
    ports: [22],
    deny_outgoing: false,
    state: 'running',
    ip: '10.99.0.2',
    port_map: { '22': 40022 },
    error: null,
    generation: 3,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    ...overrides,
  };
}

/** A running operation `saga_1` on VM web-1, between steps, with no error or result yet. */
export function fakeOperation(overrides: Partial<VmOperation> = {}): VmOperation {
  return {
    id: 'saga_1',
    vm_id: 'web-1',
    kind: 'migrate',
    state: 'running',
    step: null,
    error: null,
    result: null,
    created_at: FAKE_TIME,
    updated_at: FAKE_TIME,
    ...overrides,
  };
}

/** An active environment `demo` of org_1: no VMs, no owner, six hours' lifetime from FAKE_TIME. */
export function fakeEnv(overrides: Partial<Env> = {}): Env {
  return {
    id: 'demo',
    owner: null,
    org_id: 'org_1',
    state: 'active',
    ssh_keys: [],
    lifetime: 21600,
    on_failure: 'rollback',
    created_at: FAKE_TIME,
    expires_at: '2026-01-01T06:00:00.000Z',
    updated_at: FAKE_TIME,
    error: null,
    vms: [],
    ...overrides,
  };
}

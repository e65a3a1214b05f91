import type { Env, Host, Vm, VmOperation, VmOperationAccepted } from '@apiary/protocol';
import { type ControllerDaemon, waitFor } from '@apiary/testkit';
import { expect } from 'vitest';

/** Small helpers for driving VM changes through a real controller, as curl would. */
export function vmChangeClient(controller: () => ControllerDaemon) {
  const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
  const c = () => controller();

  /** A change that must be accepted (202); returns the answer. */
  async function accept(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<VmOperationAccepted> {
    const res = await c().call(method, path, body);
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text}`).toBe(202);
    return JSON.parse(text) as VmOperationAccepted;
  }

  /** The operation once it ended. */
  function ended(id: string): Promise<VmOperation> {
    return waitFor(
      async () => {
        const op = await json<VmOperation>(c().call('GET', `/v1/operations/${id}`));
        return op.state === 'succeeded' || op.state === 'failed' ? op : undefined;
      },
      { what: `operation ${id} to end`, timeoutMs: 180_000, intervalMs: 200 },
    );
  }

  /** A change accepted and run to success; returns the VM after it. */
  async function change(method: string, path: string, body?: unknown) {
    const { operation } = await accept(method, path, body);
    const done = await ended(operation.id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    return done;
  }

  /** A refusal: its status and message. */
  async function refused(method: string, path: string, body?: unknown) {
    const res = await c().call(method, path, body);
    return { status: res.status, ...(await json<{ code: string; msg: string }>(res)) };
  }

  const vm = (name: string) => json<Vm>(c().call('GET', `/v1/vms/${name}`));
  const host = (id: string | null) => json<Host>(c().call('GET', `/v1/hosts/${id}`));

  async function envSettled(id: string): Promise<Env> {
    return waitFor(
      async () => {
        const e = await json<Env>(c().call('GET', `/v1/envs/${id}`));
        return ['active', 'failed', 'degraded', 'stopped', 'deleted'].includes(e.state)
          ? e
          : undefined;
      },
      { what: `${id} to settle`, timeoutMs: 180_000, intervalMs: 300 },
    );
  }

  async function vmIn(name: string, state: string): Promise<Vm> {
    return waitFor(
      async () => {
        const v = await vm(name);
        return v.state === state ? v : undefined;
      },
      { what: `${name} to be ${state}`, timeoutMs: 120_000, intervalMs: 200 },
    );
  }

  /** The host's reservation once heartbeats caught up with the change (foreign use settles). */
  function reservedSettles(id: string | null, want: { cpu: number; mem: number; disk: number }) {
    return waitFor(
      async () => {
        const got = (await host(id)).capacity.reserved;
        return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
      },
      { what: `host ${id} to reserve ${JSON.stringify(want)}`, timeoutMs: 20_000, intervalMs: 250 },
    ).catch(async (error) => {
      throw new Error(`${(error as Error).message}; it shows ${JSON.stringify(await host(id))}`);
    });
  }

  return { reservedSettles, json, accept, ended, change, refused, vm, host, envSettled, vmIn };
}

import type { ControllerClient, Vm } from '@apiary/protocol';

/**
 * How a user reaches a running VM of the dev fleet: the ssh command for its forwarded port 22
 * on its host's public address, and a URL for each other forwarded port. `npm run dev` prints
 * this for each VM as it comes up (`watchVmAccess`).
 */
export function vmAccessLine(vm: Pick<Vm, 'id' | 'host_addr' | 'port_map'>): string | undefined {
  const ssh = vm.port_map['22'];
  if (!vm.host_addr || ssh === undefined) return undefined;
  const others = Object.entries(vm.port_map)
    .filter(([guest]) => guest !== '22')
    .map(([guest, host]) => `  port ${guest}: http://${vm.host_addr}:${host}/`);
  return [`${vm.id} is running: ssh -p ${ssh} root@${vm.host_addr}`, ...others].join('\n');
}

/**
 * Polls the controller and calls `print` once for each VM that is running with forwards (again
 * if its address or ports change, e.g. after a migration). Returns a function that stops it.
 */
export function watchVmAccess(
  client: ControllerClient,
  print: (line: string) => void,
  intervalMs = 2000,
): () => void {
  const shown = new Map<string, string>();
  let stopped = false;
  const poll = async () => {
    try {
      const envs = await client.listEnvs({ query: { limit: 1000 } });
      for (const vm of envs.items.flatMap((env) => env.vms)) {
        const line = vm.state === 'running' ? vmAccessLine(vm) : undefined;
        if (line === undefined) shown.delete(vm.id);
        else if (shown.get(vm.id) !== line) {
          shown.set(vm.id, line);
          print(line);
        }
      }
    } catch {
      // the controller is restarting or stopping: try again at the next round
    }
    if (!stopped) timer = setTimeout(poll, intervalMs);
  };
  let timer = setTimeout(poll, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

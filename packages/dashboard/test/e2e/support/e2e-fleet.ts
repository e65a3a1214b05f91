import { Fleet } from '@apiary/testkit';

/**
 * The browser tests' fleet, from the one launcher in @apiary/testkit: the built controller and
 * `agents` agents on simulated hosts of different sizes, named omni-a, omni-b, ... Liveness
 * and drains tick in seconds, not tens of seconds: a browser test watches them change.
 * `agentArgs` go to every agent (the usage charts' test samples every second).
 */
export function startFleet(agents: number, options: { agentArgs?: string[] } = {}): Promise<Fleet> {
  return Fleet.start({
    agents,
    ...(options.agentArgs ? { agentArgs: options.agentArgs } : {}),
    controllerArgs: ['--heartbeat-interval-ms', '1000', '--drain-interval-ms', '250'],
    host: (index) => ({
      hostname: `omni-${String.fromCharCode(96 + index)}`,
      cpus: 8 + 8 * index,
      ram: `${32 + 32 * index}G`,
      pools: [{ name: 'rpool', size: '2T' }],
    }),
  });
}

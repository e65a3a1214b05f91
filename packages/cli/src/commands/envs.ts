import { type ControllerClient, formatDuration, LIFETIME, VM_LIMITS } from '@apiary/protocol';
import type { Command } from 'commander';
import { withCapacityAdvice } from '../lib/capacity-hint.js';
import { withContext } from '../lib/context.js';
import { durationFlag, durationSource } from '../lib/duration-flag.js';
import { createEnvRequestFromFlags, type EnvFlags, envFlagSource } from '../lib/env-request.js';
import { withFlagIssues } from '../lib/flag-issues.js';
import { withUnknownImages } from '../lib/image-ref.js';
import { orNearName } from '../lib/near-name.js';
import { waitForEnv } from '../lib/wait-env.js';
import { renderEnv, renderEnvs } from './render-env.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Non-zero exit when an awaited environment ended in failure. */
function exitIfFailed(state: string | undefined): void {
  if (state === 'failed' || state === 'degraded') process.exitCode = 1;
}

export function registerEnvs(program: Command): void {
  const envs = program.command('envs').description('environments: groups of VMs with a lifetime');

  envs
    .command('create')
    .description('create an environment from flags or a JSON/YAML file')
    .option('-f, --file <path>', 'a CreateEnvReq as JSON or YAML (flags override it)')
    .option('--id <id>', 'environment id, e.g. my-env')
    .option('--owner <name>', 'owner label')
    .option('--image <image>', 'image name or sha256 digest for every VM')
    .option(
      '--boot-iso <iso>',
      'instead of --image: every VM boots this ISO (name or digest) to install onto an empty --disk',
    )
    .option('--count <n>', 'number of VMs', '1')
    .option('--cpu <n>', `vCPUs per VM (default: ${VM_LIMITS.cpu.default})`)
    .option('--mem <mib>', `memory per VM in MiB (default: ${VM_LIMITS.mem.default})`)
    .option(
      '--disk <mib>',
      `disk per VM in MiB; with --boot-iso: the empty disk (default: ${VM_LIMITS.disk.default})`,
    )
    .option('--port <port>', 'guest port to expose (repeatable; 22 is always exposed)', collect)
    .option('--deny-outgoing', 'block connections the VMs start')
    .option(
      '--ssh-key <key>',
      'SSH public key or @file.pub, repeatable (default: ~/.ssh/*.pub)',
      collect,
    )
    .option(
      '--lifetime <duration>',
      `how long the environment lives, e.g. 30m, 2d (default: ${formatDuration(LIFETIME.default)})`,
    )
    .option('--keep-on-failure', 'keep the VMs that were created if others fail')
    .option('--wait', 'wait until the VMs are running, showing progress')
    .action(
      withContext(async (ctx, flags: EnvFlags & { wait?: boolean }) => {
        const client = ctx.client();
        const body = createEnvRequestFromFlags(flags);
        let env = await withCapacityAdvice(client, body, () =>
          withUnknownImages(client, body, () =>
            withFlagIssues(envFlagSource(flags, body), () => client.createEnv({ body })),
          ),
        );
        if (flags.wait)
          env = (await waitForEnv(client, env.id, 'create', ctx.out, { org: env.org_id })) ?? env;
        const view = await ctx.hostView();
        ctx.out.result(env, (e) => renderEnv(e, view));
        if (flags.wait) exitIfFailed(env.state);
      }),
    );

  envs
    .command('list')
    .description('list environments')
    .option('--state <state>', 'only environments in this state')
    .option('--owner <name>', 'only environments of this owner')
    .action(
      withContext(async (ctx, o: { state?: string; owner?: string }) => {
        const page = await ctx.client().listEnvs({
          query: { limit: 1000, state: o.state as 'active' | undefined, owner: o.owner },
        });
        ctx.out.result(page.items, renderEnvs);
      }),
    );

  envs
    .command('show <id>')
    .description('an environment with its VMs, IPs and port map')
    .option(
      '--org <id>',
      "the environment's organization (super-admins; names are per organization)",
    )
    .action(
      withContext(async (ctx, id: string, o: { org?: string }) => {
        const client = ctx.client();
        const env = await orNearEnv(client, id, o, () =>
          client.getEnv({ params: { id }, query: orgQuery(o) }),
        );
        const view = await ctx.hostView();
        ctx.out.result(env, (e) => renderEnv(e, view));
      }),
    );

  const actions = [
    ['stop', 'stop every VM', 'stopEnv'],
    ['start', 'start every VM', 'startEnv'],
    ['delete', 'destroy the environment and its VMs', 'deleteEnv'],
  ] as const;
  for (const [name, description, verb] of actions) {
    envs
      .command(`${name} <id>`)
      .description(description)
      .option('--wait', 'wait until it is done, showing progress')
      .option(
        '--org <id>',
        "the environment's organization (super-admins; names are per organization)",
      )
      .action(
        withContext(async (ctx, id: string, o: { wait?: boolean; org?: string }) => {
          const client = ctx.client();
          let env = await orNearEnv(client, id, o, () =>
            client[verb]({ params: { id }, query: orgQuery(o) }),
          );
          if (o.wait) {
            const settled = await waitForEnv(client, id, name, ctx.out, { org: env.org_id });
            if (settled === null) {
              ctx.out.result({ id, state: 'deleted' }, () => `environment ${id} deleted`);
              return;
            }
            env = settled;
          }
          const view = await ctx.hostView();
          ctx.out.result(env, (e) => renderEnv(e, view));
          if (o.wait) exitIfFailed(env.state);
        }),
      );
  }

  envs
    .command('extend <id>')
    .description('extend the lifetime of an environment')
    .requiredOption('--by <duration>', 'e.g. 2h')
    .option(
      '--org <id>',
      "the environment's organization (super-admins; names are per organization)",
    )
    .action(
      withContext(async (ctx, id: string, o: { by: string; org?: string }) => {
        const client = ctx.client();
        const env = await orNearEnv(client, id, o, () =>
          withFlagIssues(durationSource('seconds', '--by', o.by), () =>
            client.extendEnv({
              params: { id },
              query: orgQuery(o),
              body: { seconds: durationFlag('--by', o.by) },
            }),
          ),
        );
        const view = await ctx.hostView();
        ctx.out.result(env, (e) => renderEnv(e, view));
      }),
    );
}

/** An environment the user named: a 404 suggests the near names of the environments listed. */
function orNearEnv<T>(
  client: ControllerClient,
  id: string,
  o: { org?: string },
  call: () => Promise<T>,
): Promise<T> {
  return orNearName(
    'environment',
    id,
    async () =>
      (await client.listEnvs({ query: { limit: 1000, ...orgQuery(o) } })).items.map((e) => e.id),
    call,
  );
}

/** `?org=` when `--org` was given: names are unique within an organization only. */
export function orgQuery(o: { org?: string }): { org: string } | undefined {
  return o.org ? { org: o.org } : undefined;
}

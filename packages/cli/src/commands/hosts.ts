import { describeHostCertificate } from '@apiary/protocol';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { durationFlag, durationSource } from '../lib/duration-flag.js';
import { UsageError } from '../lib/errors.js';
import { withFlagIssues } from '../lib/flag-issues.js';
import { resolveHostId } from '../lib/host-names.js';
import { sleep } from '../lib/wait.js';
import { registerHostNetworkCommands } from './host-network-commands.js';
import { registerHostStorageCommands } from './host-storage-commands.js';
import { releasingText, renderDrain, renderHost, renderHosts } from './render-host.js';
import { renderHostTop } from './render-top.js';
import { registerTop } from './top.js';
import { hostTopRows } from './top-rows.js';

interface AddOptions {
  fingerprint?: string;
  apiKey?: string;
  bootstrapToken?: string;
  org?: string;
  publicAddr?: string;
}

function addBody(addr: string, o: AddOptions) {
  return {
    addr,
    api_key: o.apiKey,
    bootstrap_token: o.bootstrapToken,
    org_id: o.org,
    public_addr: o.publicAddr,
    tls_fingerprint: o.fingerprint,
  };
}

export function registerHosts(program: Command): void {
  const hosts = program.command('hosts').description('hypervisor hosts and their agents');

  hosts
    .command('list')
    .description('list hosts with liveness, policy, capacity and drain progress')
    .option('--liveness <state>', 'only ready, suspect or down hosts')
    .option('--policy <policy>', 'only eligible, draining or maintenance hosts')
    .action(
      withContext(async (ctx, o: { liveness?: string; policy?: string }) => {
        const page = await ctx.client().listHosts({
          query: {
            limit: 1000,
            liveness: o.liveness as 'ready' | undefined,
            policy: o.policy as 'eligible' | undefined,
          },
        });
        ctx.out.result(page.items, (items) => renderHosts(items, Boolean(ctx.options.wide)));
      }),
    );

  registerTop(
    hosts,
    'hosts with their CPU, memory and traffic',
    (ctx) => hostTopRows(ctx.client()),
    (rows) => renderHostTop(rows),
  );

  hosts
    .command('show <host>')
    .description('one host with its capacity')
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(await ctx.client().getHost({ params: { id } }), renderHost);
      }),
    );

  for (const [name, description] of [
    ['add', 'add an agent by address after a connection test'],
    ['test', 'test the connection to an agent without adding it'],
  ] as const) {
    hosts
      .command(`${name} <addr>`)
      .description(description)
      .option('--api-key <key>', 'an agent API key (wh_...)')
      .option('--bootstrap-token <token>', "the agent's claim token, traded for a key")
      .option('--org <id>', 'assign the host to an organization')
      .option('--public-addr <addr>', 'address users connect to for forwarded ports')
      .option(
        '--fingerprint <sha256>',
        "the agent's certificate fingerprint (apiary-agent info on the host); pinned",
      )
      .action(
        withContext(async (ctx, addr: string, o: AddOptions) => {
          const client = ctx.client();
          if (name === 'add') {
            ctx.out.result(await client.addHost({ body: addBody(addr, o) }), renderHost);
          } else {
            const result = await client.testHost({ body: addBody(addr, o) });
            ctx.out.result(result, (r) => `${r.result}: ${r.msg}`);
            if (!result.ok) process.exitCode = 1;
          }
        }),
      );
  }

  hosts
    .command('drain <host>')
    .description('stop placing VMs on a host and empty it')
    .option(
      '--mode <mode>',
      'wait: let VMs end; stop: stop them at the deadline; migrate: move them to other hosts',
      'wait',
    )
    .option(
      '--deadline <duration>',
      'e.g. 30m; with --mode stop, VMs are stopped then; with migrate, those not moved yet',
    )
    .option('--max-parallel <n>', 'with --mode migrate: VMs moved at once (default: 1)')
    .option('--watch', 'follow progress until the drain completes')
    .action(
      withContext(
        async (
          ctx,
          named: string,
          o: { mode: string; deadline?: string; maxParallel?: string; watch?: boolean },
        ) => {
          const mode = o.mode;
          if (mode !== 'wait' && mode !== 'stop' && mode !== 'migrate') {
            throw new UsageError('--mode is wait, stop or migrate');
          }
          const maxParallel = maxParallelFlag(mode, o.maxParallel);
          const deadline = durationSource('deadline_seconds', '--deadline', o.deadline);
          const deadlineSeconds = durationFlag('--deadline', o.deadline);
          // Usage mistakes first (exit 2), before the host is looked up.
          const client = ctx.client();
          const id = await resolveHostId(client, named);
          let drain = await withFlagIssues(deadline, () =>
            client.drainHost({
              params: { id },
              body: {
                mode,
                deadline_seconds: deadlineSeconds,
                ...(maxParallel !== undefined ? { max_parallel: maxParallel } : {}),
              },
            }),
          );
          while (o.watch && !drain.complete && drain.state === 'draining') {
            const moves =
              drain.vms_moved != null
                ? `, ${drain.vms_moved} moved, ${drain.vms_moving} moving${releasingText(drain)}`
                : '';
            ctx.out.info(
              `draining: ${drain.vms_remaining} of ${drain.vms_total} VMs remaining${moves}`,
            );
            await sleep(1000);
            drain = await client.drainStatus({ params: { id } });
          }
          const view = await ctx.hostView();
          ctx.out.result(drain, (d) => renderDrain(d, view));
        },
      ),
    );

  hosts
    .command('drain-status <host>')
    .description('progress of a drain')
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        const drain = await ctx.client().drainStatus({ params: { id } });
        const view = await ctx.hostView();
        ctx.out.result(drain, (d) => renderDrain(d, view));
      }),
    );

  const simple = [
    ['undrain', 'cancel a drain; the host becomes eligible again', 'undrainHost'],
    ['activate', 'return a host from maintenance', 'activateHost'],
  ] as const;
  for (const [name, description, verb] of simple) {
    hosts
      .command(`${name} <host>`)
      .description(description)
      .action(
        withContext(async (ctx, named: string) => {
          const id = await resolveHostId(ctx.client(), named);
          ctx.out.result(await ctx.client()[verb]({ params: { id } }), renderHost);
        }),
      );
  }

  hosts
    .command('rotate-credential <host>')
    .description(
      'give a host a new credential; its agent receives it with its next heartbeat and the old one works until then',
    )
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(await ctx.client().rotateHostCredential({ params: { id } }), renderHost);
      }),
    );
  hosts
    .command('revoke-credential <host>')
    .description("stop accepting a host's credential now: it is locked out until reset-credential")
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(await ctx.client().revokeHostCredential({ params: { id } }), renderHost);
      }),
    );
  hosts
    .command('reset-credential <host>')
    .description(
      "revoke a host's credential and accept its next registration with a license key of its organization (an agent that lost its data dir, a restored database)",
    )
    .option('--window <duration>', 'how long the registration stays open, e.g. 30m', '1h')
    .action(
      withContext(async (ctx, named: string, o: { window: string }) => {
        const window = durationSource('expires_in', '--window', o.window);
        const expiresIn = durationFlag('--window', o.window);
        const id = await resolveHostId(ctx.client(), named);
        const host = await withFlagIssues(window, () =>
          ctx.client().resetHostCredential({
            params: { id },
            body: { expires_in: expiresIn },
          }),
        );
        ctx.out.result(host, renderHost);
      }),
    );
  hosts
    .command('accept-certificate <host>')
    .description("pin the new certificate of a host whose agent's certificate changed")
    .option('--fingerprint <sha256>', 'the fingerprint you checked (default: the one presented)')
    .action(
      withContext(async (ctx, named: string, o: { fingerprint?: string }) => {
        const id = await resolveHostId(ctx.client(), named);
        const client = ctx.client();
        const host = await client.getHost({ params: { id } });
        const fingerprint = o.fingerprint ?? host.tls.presented_fingerprint;
        if (!fingerprint) {
          throw new UsageError(
            `host ${id} presents no new certificate (${describeHostCertificate(host.tls)})`,
          );
        }
        if (!o.fingerprint) {
          ctx.out.info(
            `host ${id} presents ${fingerprint} (pinned: ${host.tls.fingerprint}); compare it ` +
              'with `apiary-agent info` on the host',
          );
        }
        ctx.out.result(
          await client.acceptHostCertificate({ params: { id }, body: { fingerprint } }),
          renderHost,
        );
      }),
    );

  hosts
    .command('assign <host>')
    .description('assign a host to an organization (or --none)')
    .option('--org <id>', 'organization id')
    .option('--none', 'remove the assignment')
    .action(
      withContext(async (ctx, named: string, o: { org?: string; none?: boolean }) => {
        if (!o.org && !o.none) throw new UsageError('give --org ID or --none');
        const id = await resolveHostId(ctx.client(), named);
        const host = await ctx.client().updateHost({
          params: { id },
          body: { org_id: o.none ? null : o.org },
        });
        ctx.out.result(host, renderHost);
      }),
    );

  hosts
    .command('remove <host>')
    .description('remove a host (refused while it has VMs)')
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        await ctx.client().removeHost({ params: { id } });
        ctx.out.result({ id, removed: true }, () => `host ${id} removed`);
      }),
    );

  registerHostNetworkCommands(hosts);
  registerHostStorageCommands(hosts);
}

/** `--max-parallel N`: a whole number 1-16, only with `--mode migrate` (usage mistakes exit 2). */
function maxParallelFlag(mode: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (mode !== 'migrate') throw new UsageError('--max-parallel goes with --mode migrate');
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new UsageError('--max-parallel is a whole number from 1 to 16');
  }
  return n;
}

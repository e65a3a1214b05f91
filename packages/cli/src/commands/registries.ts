import type { ControllerClient, Registry } from '@apiary/protocol';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { details, table } from '../lib/output.js';

function renderRegistry(r: Registry): string {
  return details([
    ['id', r.id],
    ['name', r.name],
    ['url', r.url],
    ['token', r.has_token ? 'yes (kept encrypted)' : 'no'],
    ['organization', r.org_id],
    ['created', r.created_at],
  ]);
}

/** The registry `ref` (id or name) among the organization's. */
async function findRegistry(client: ControllerClient, ref: string): Promise<Registry> {
  const { items } = await client.listRegistries({});
  const found = items.find((r) => r.id === ref || r.name === ref);
  if (!found) {
    throw new UsageError(
      `no registry ${ref}; \`apiary registries list\` shows them, \`apiary registries add\` adds one`,
    );
  }
  return found;
}

export function registerRegistries(program: Command): void {
  const registries = program
    .command('registries')
    .description('Vagrant-compatible box registries to pull images from');

  registries
    .command('list')
    .description("your organization's registries")
    .action(
      withContext(async (ctx) => {
        const { items } = await ctx.client().listRegistries({});
        ctx.out.result(items, (rows) =>
          table(
            ['NAME', 'URL', 'TOKEN', 'ID'],
            rows.map((r) => [r.name, r.url, r.has_token ? 'yes' : 'no', r.id]),
          ),
        );
      }),
    );

  registries
    .command('add <name> <url>')
    .description(
      'add a registry; a token it needs is read from APIARY_REGISTRY_TOKEN or --token-stdin, never from the command line',
    )
    .option('--token-stdin', 'read the registry token from standard input')
    .action(
      withContext(async (ctx, name: string, url: string, o: { tokenStdin?: boolean }) => {
        const token = o.tokenStdin
          ? (await readStdin()).trim()
          : process.env.APIARY_REGISTRY_TOKEN?.trim();
        const created = await ctx
          .client()
          .createRegistry({ body: { name, url, ...(token ? { token } : {}) } });
        ctx.out.result(created, renderRegistry);
      }),
    );

  registries
    .command('delete <registry>')
    .description('forget a registry (by name or id)')
    .action(
      withContext(async (ctx, ref: string) => {
        const client = ctx.client();
        const found = await findRegistry(client, ref);
        await client.deleteRegistry({ params: { id: found.id } });
        ctx.out.result({ id: found.id, deleted: true }, () => `registry ${found.name} deleted`);
      }),
    );

  registries
    .command('boxes <registry> [query]')
    .description("search a registry's boxes")
    .action(
      withContext(async (ctx, ref: string, q: string | undefined) => {
        const client = ctx.client();
        const found = await findRegistry(client, ref);
        const { items } = await client.listRegistryBoxes({
          params: { id: found.id },
          query: q ? { q } : {},
        });
        ctx.out.result(items, (boxes) =>
          table(
            ['BOX', 'VERSIONS', 'PROVIDERS', 'DESCRIPTION'],
            boxes.map((b) => [
              b.name,
              b.versions.map((v) => v.version).join(', ') || '-',
              [...new Set(b.versions.flatMap((v) => v.providers))].join(', ') || '-',
              b.description ?? '',
            ]),
          ),
        );
      }),
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

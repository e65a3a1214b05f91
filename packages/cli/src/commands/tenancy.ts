import { SCOPES, Scope } from '@apiary/protocol';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { durationFlag, durationSource } from '../lib/duration-flag.js';
import { UsageError } from '../lib/errors.js';
import { withFlagIssues } from '../lib/flag-issues.js';
import { table } from '../lib/output.js';
import { readSecretFromStdin } from '../lib/stdin.js';

/** `--scope envs:read --scope envs:write` or `--scope envs:read,envs:write`, checked here. */
function scopeFlag(values: string[] | undefined): Scope[] | undefined {
  if (!values) return undefined;
  const scopes = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !Scope.safeParse(s).success);
  if (unknown.length > 0) {
    throw new UsageError(
      `--scope: unknown ${unknown.join(', ')}; known: ${Object.keys(SCOPES).join(', ')}`,
    );
  }
  return [...new Set(scopes)] as Scope[];
}

/** Users, organizations, API keys and license keys: the administrative resources. */
export function registerTenancy(program: Command): void {
  const orgs = program.command('orgs').description('organizations');
  orgs
    .command('list')
    .description('list organizations')
    .action(
      withContext(async (ctx) => {
        const page = await ctx.client().listOrgs({ query: { limit: 1000 } });
        ctx.out.result(page.items, (items) =>
          table(
            ['ID', 'NAME', 'CREATED'],
            items.map((o) => [o.id, o.name, o.created_at]),
          ),
        );
      }),
    );
  orgs
    .command('create <name>')
    .description('create an organization')
    .action(
      withContext(async (ctx, name: string) => {
        const org = await ctx.client().createOrg({ body: { name } });
        ctx.out.result(org, (o) => `organization ${o.name} created: ${o.id}`);
      }),
    );
  orgs
    .command('delete <id>')
    .description('delete an empty organization')
    .action(
      withContext(async (ctx, id: string) => {
        await ctx.client().deleteOrg({ params: { id } });
        ctx.out.result({ id, deleted: true }, () => `organization ${id} deleted`);
      }),
    );

  const users = program.command('users').description('users');
  users
    .command('list')
    .description('list users')
    .action(
      withContext(async (ctx) => {
        const page = await ctx.client().listUsers({ query: { limit: 1000 } });
        ctx.out.result(page.items, (items) =>
          table(
            ['ID', 'USERNAME', 'ROLE', 'ORG', 'DISABLED'],
            items.map((u) => [
              u.id,
              u.username,
              u.role,
              u.org_id ?? '-',
              u.disabled ? 'yes' : 'no',
            ]),
          ),
        );
      }),
    );
  users
    .command('create <username>')
    .description('create a user; the password is read from standard input')
    .option('--role <role>', 'super_admin, org_admin or member', 'member')
    .option('--org <id>', 'organization')
    .action(
      withContext(async (ctx, username: string, o: { role: string; org?: string }) => {
        const password = await readSecretFromStdin();
        const user = await ctx.client().createUser({
          body: { username, password, role: o.role as 'member', org_id: o.org },
        });
        ctx.out.result(user, (u) => `user ${u.username} created: ${u.id} (${u.role})`);
      }),
    );
  users
    .command('set-password <id>')
    .description('set a password, read from standard input')
    .action(
      withContext(async (ctx, id: string) => {
        const password = await readSecretFromStdin();
        const user = await ctx.client().updateUser({ params: { id }, body: { password } });
        ctx.out.result(user, (u) => `password of ${u.username} changed`);
      }),
    );
  users
    .command('delete <id>')
    .description('delete a user')
    .action(
      withContext(async (ctx, id: string) => {
        await ctx.client().deleteUser({ params: { id } });
        ctx.out.result({ id, deleted: true }, () => `user ${id} deleted`);
      }),
    );

  const keys = program.command('api-keys').alias('keys').description('controller API keys');
  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .action(
      withContext(async (ctx) => {
        const page = await ctx.client().listApiKeys({ query: { limit: 1000 } });
        ctx.out.result(page.items, (items) =>
          table(
            ['ID', 'NAME', 'PREFIX', 'ROLE', 'SCOPES', 'EXPIRES', 'REVOKED', 'LAST USED'],
            items.map((k) => [
              k.id,
              k.name,
              k.prefix,
              k.role,
              k.scopes?.join(',') ?? 'all',
              k.expires_at ?? 'never',
              k.revoked_at ?? '-',
              k.last_used_at ?? '-',
            ]),
          ),
        );
      }),
    );
  keys
    .command('create <name>')
    .description('create an API key; it is shown once')
    .option('--role <role>', 'role of the key (at most your own)')
    .option('--org <id>', 'organization of the key')
    .option('--expires <duration>', 'e.g. 30d (default: never)')
    .option(
      '--scope <scope...>',
      `limit the key to these scopes: ${Object.keys(SCOPES).join(', ')} (default: all its role allows)`,
    )
    .action(
      withContext(
        async (
          ctx,
          name: string,
          o: { role?: string; org?: string; expires?: string; scope?: string[] },
        ) => {
          const expires = durationSource('expires_in', '--expires', o.expires);
          const key = await withFlagIssues(expires, () =>
            ctx.client().createApiKey({
              body: {
                name,
                role: o.role as 'member' | undefined,
                org_id: o.org,
                expires_in: durationFlag('--expires', o.expires),
                scopes: scopeFlag(o.scope),
              },
            }),
          );
          ctx.out.result(key, (k) => `${k.key}\n(API key ${k.id}; shown once, store it now)`);
        },
      ),
    );
  keys
    .command('revoke <id>')
    .description('revoke an API key')
    .action(
      withContext(async (ctx, id: string) => {
        await ctx.client().revokeApiKey({ params: { id } });
        ctx.out.result({ id, revoked: true }, () => `API key ${id} revoked`);
      }),
    );

  const licenses = program
    .command('licenses')
    .description('host license keys (agents register with them)');
  licenses
    .command('list')
    .description('list license keys')
    .action(
      withContext(async (ctx) => {
        const page = await ctx.client().listLicenseKeys({ query: { limit: 1000 } });
        ctx.out.result(page.items, (items) =>
          table(
            ['ID', 'NAME', 'PREFIX', 'ORG', 'HOSTS', 'REVOKED'],
            items.map((l) => [
              l.id,
              l.name,
              l.prefix,
              l.org_id ?? '-',
              l.hosts,
              l.revoked_at ?? '-',
            ]),
          ),
        );
      }),
    );
  licenses
    .command('create <name>')
    .description('create a license key; it is shown once')
    .option('--org <id>', 'hosts registering with it join this organization')
    .action(
      withContext(async (ctx, name: string, o: { org?: string }) => {
        const key = await ctx.client().createLicenseKey({ body: { name, org_id: o.org } });
        ctx.out.result(
          key,
          (k) =>
            `${k.key}\n(license key ${k.id}; shown once: put it in the agent's --license-key-file)`,
        );
      }),
    );
  licenses
    .command('revoke <id>')
    .description('revoke a license key')
    .action(
      withContext(async (ctx, id: string) => {
        if (!id) throw new UsageError('license key id required');
        await ctx.client().revokeLicenseKey({ params: { id } });
        ctx.out.result({ id, revoked: true }, () => `license key ${id} revoked`);
      }),
    );
}

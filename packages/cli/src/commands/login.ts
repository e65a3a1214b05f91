import { resolve } from 'node:path';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { readProfiles, writeProfiles } from '../lib/profiles.js';
import { readSecretFromStdin } from '../lib/stdin.js';

interface LoginOptions {
  url?: string;
  apiKey?: string;
  apiKeyStdin?: boolean;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  profile?: string;
  name?: string;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('save a controller URL and credentials in a profile (file mode 0600)')
    .option('--url <url>', 'controller URL, e.g. http://127.0.0.1:9200')
    .option('--api-key <key>', 'an API key (prefer --api-key-stdin: flags show up in ps)')
    .option('--api-key-stdin', 'read the API key from standard input')
    .option('--username <name>', 'log in with a username and password instead')
    .option('--password <password>', 'password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--name <profile>', 'profile name', 'default')
    .action(
      withContext(async (ctx, options: LoginOptions) => {
        const url = options.url ?? ctx.options.url ?? ctx.env.APIARY_URL;
        if (!url) throw new UsageError('--url is required (or set APIARY_URL)');
        let apiKey = options.apiKey;
        if (options.apiKeyStdin) apiKey = await readSecretFromStdin();
        let token: string;
        let kind: 'api_key' | 'session';
        let username: string | undefined;
        if (apiKey) {
          token = apiKey;
          kind = 'api_key';
        } else if (options.username) {
          const password = options.passwordStdin ? await readSecretFromStdin() : options.password;
          if (!password) throw new UsageError('--password-stdin or --password is required');
          const login = await ctx.client(undefined, url).login({
            body: { username: options.username, password },
          });
          token = login.token;
          kind = 'session';
          username = login.user.username;
        } else {
          throw new UsageError('give --api-key(-stdin) or --username with --password(-stdin)');
        }
        // Prove the credential works before saving it.
        const who = await ctx.client(token, url).whoami();
        const ca = ctx.trust().caFile;
        const file = readProfiles(ctx.configPath);
        const name = options.name ?? 'default';
        file.profiles[name] = {
          url,
          token,
          kind,
          username: username ?? who.user?.username,
          // The CA that worked is kept with the profile (an absolute path).
          ...(ca ? { ca: resolve(ca) } : {}),
        };
        file.current = name;
        writeProfiles(ctx.configPath, file);
        ctx.out.result(
          { profile: name, url, role: who.role, user: who.user?.username ?? null },
          () =>
            `logged in to ${url} as ${who.user?.username ?? 'api key'} (${who.role}); profile ${name}`,
        );
      }),
    );

  program
    .command('logout')
    .description('end the session and forget the current profile')
    .action(
      withContext(async (ctx) => {
        const file = readProfiles(ctx.configPath);
        const name = ctx.options.profile ?? file.current;
        const profile = name ? file.profiles[name] : undefined;
        if (!name || !profile) throw new UsageError('not logged in');
        if (profile.kind === 'session') {
          await ctx
            .client(profile.token)
            .logout()
            .catch(() => undefined);
        }
        delete file.profiles[name];
        if (file.current === name) file.current = null;
        writeProfiles(ctx.configPath, file);
        ctx.out.result(
          { profile: name, removed: true },
          () => `logged out (profile ${name} removed)`,
        );
      }),
    );

  program
    .command('whoami')
    .description('show who the current credentials belong to')
    .action(
      withContext(async (ctx) => {
        const who = await ctx.client().whoami();
        ctx.out.result(who, (w) =>
          [
            `user:    ${w.user?.username ?? '(api key)'}`,
            `role:    ${w.role}`,
            `org:     ${w.org?.name ?? '-'}`,
            `via:     ${w.via}`,
            `url:     ${ctx.target().url}`,
          ].join('\n'),
        );
      }),
    );
}

import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { table } from '../lib/output.js';
import { readProfiles, writeProfiles } from '../lib/profiles.js';

export function registerProfiles(program: Command): void {
  const profiles = program.command('profiles').description('saved controller logins');

  profiles
    .command('list')
    .description('list profiles (credentials are never printed)')
    .action(
      withContext(async (ctx) => {
        const file = readProfiles(ctx.configPath);
        const rows = Object.entries(file.profiles).map(([name, p]) => ({
          name,
          url: p.url,
          kind: p.kind,
          username: p.username ?? null,
          current: name === file.current,
        }));
        ctx.out.result(rows, (r) =>
          table(
            ['', 'NAME', 'URL', 'AUTH', 'USER'],
            r.map((p) => [p.current ? '*' : '', p.name, p.url, p.kind, p.username ?? '-']),
          ),
        );
      }),
    );

  profiles
    .command('use <name>')
    .description('make a profile the current one')
    .action(
      withContext(async (ctx, name: string) => {
        const file = readProfiles(ctx.configPath);
        if (!file.profiles[name]) throw new UsageError(`no profile named ${name}`);
        file.current = name;
        writeProfiles(ctx.configPath, file);
        ctx.out.result({ current: name }, () => `now using profile ${name}`);
      }),
    );
}

import { type ControllerClient, createControllerClient } from '@apiary/protocol';
import type { Command } from 'commander';
import { Output } from './output.js';
import { profilesPath, readProfiles, resolveTarget, type Target } from './profiles.js';

export interface GlobalOptions {
  json?: boolean;
  url?: string;
  profile?: string;
}

/** Everything a command needs, resolved from global flags, the environment and the profile. */
export class CliContext {
  readonly out: Output;
  readonly configPath: string;
  private resolved: Target | undefined;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly options: GlobalOptions,
  ) {
    this.out = new Output(Boolean(options.json));
    this.configPath = profilesPath(env);
  }

  static of(command: Command, env: NodeJS.ProcessEnv = process.env): CliContext {
    return new CliContext(env, command.optsWithGlobals<GlobalOptions>());
  }

  target(): Target {
    this.resolved ??= resolveTarget(this.env, readProfiles(this.configPath), this.options);
    return this.resolved;
  }

  client(token?: string): ControllerClient {
    const target = this.target();
    return createControllerClient({ baseUrl: target.url, token: token ?? target.token });
  }
}

/** Wraps an action so it receives the context; errors are rendered by main. */
export function withContext<A extends unknown[]>(
  action: (ctx: CliContext, ...args: A) => Promise<void>,
) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    await action(CliContext.of(command), ...(args.slice(0, -1) as A));
  };
}

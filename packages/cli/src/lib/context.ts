import { type ControllerClient, createControllerClient } from '@apiary/protocol';
import type { Command } from 'commander';
import { type HostView, loadHostView, NO_HOST_NAMES } from './host-names.js';
import { Output } from './output.js';
import { profilesPath, readProfiles, resolveTarget, type Target } from './profiles.js';
import { type CliTrust, fetchFor, INSECURE_WARNING } from './tls-trust.js';

export interface GlobalOptions {
  json?: boolean;
  url?: string;
  profile?: string;
  ca?: string;
  insecure?: boolean;
  wide?: boolean;
}

/** Everything a command needs, resolved from global flags, the environment and the profile. */
export class CliContext {
  readonly out: Output;
  readonly configPath: string;
  private resolved: Target | undefined;
  private warned = false;

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

  client(token?: string, url?: string): ControllerClient {
    const target = this.target();
    return createControllerClient({
      baseUrl: url ?? target.url,
      token: token ?? target.token,
      fetch: fetchFor(this.trust()),
    });
  }

  /**
   * How tables name hosts. `--json` prints what the API returned (ids), so it asks for no
   * hostnames.
   */
  async hostView(): Promise<HostView> {
    if (this.out.json) return NO_HOST_NAMES;
    return loadHostView(this.client(), Boolean(this.options.wide));
  }

  /** How the controller's certificate is trusted (`--insecure` warns once, on stderr). */
  trust(): CliTrust {
    if (this.options.insecure && !this.warned) {
      this.warned = true;
      process.stderr.write(`${INSECURE_WARNING}\n`);
    }
    const caFile = this.options.ca ?? this.target().caFile;
    return { insecure: Boolean(this.options.insecure), ...(caFile ? { caFile } : {}) };
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

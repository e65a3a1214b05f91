import { parseArgs } from 'node:util';
import { ListenAddress, summarizeIssues, validationIssues } from '@apiary/protocol';
import { z } from 'zod';

/**
 * Controller configuration: flags override environment variables (`APIARY_*`), parsed once at
 * start with readable errors. Nothing else in the controller reads `process.env`.
 */
export const ControllerConfig = z.object({
  listen: ListenAddress.default('127.0.0.1:9200'),
  dataDir: z.string().min(1, 'is required (--data-dir DIR or APIARY_DATA_DIR)'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type ControllerConfig = z.infer<typeof ControllerConfig>;

export class ConfigError extends Error {}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ControllerConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        listen: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const parsed = ControllerConfig.safeParse({
    listen: values.listen ?? env.APIARY_LISTEN,
    dataDir: values['data-dir'] ?? env.APIARY_DATA_DIR ?? '',
    logLevel: values['log-level'] ?? env.APIARY_LOG_LEVEL,
  });
  if (!parsed.success) throw new ConfigError(summarizeIssues(validationIssues(parsed.error)));
  return parsed.data;
}

import { mkdirSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, parseConfig } from './config.js';

function main() {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`apiary-agent: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const [host, port] = splitHostPort(config.listen);
  const app = createApp({ hostId: 'host_00000000', hostname: osHostname() });
  const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
    process.stdout.write(
      `${JSON.stringify({ level: 'info', msg: 'listening', addr: `${info.address}:${info.port}` })}\n`,
    );
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  return [value.slice(0, i).replace(/^\[|\]$/g, ''), Number(value.slice(i + 1))];
}

main();

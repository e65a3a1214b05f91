// The framework floor for the heartbeat benchmark: the controller's own HTTP stack (hono on
// @hono/node-server, the versions the controller is built with) and nothing else. It reads the
// body, parses it and answers the same JSON a heartbeat gets, with no auth, no validation, no
// metrics, no log scope. What the controller spends above this is its own; what this spends
// above bare node:http is the framework's. Prints {"port":N} when listening.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../apps/controller/package.json', import.meta.url));
const { Hono } = await import(require.resolve('hono'));
const { serve } = await import(require.resolve('@hono/node-server'));

const v1 = new Hono();
v1.post('/internal/hosts/:id/heartbeat', async (c) => {
  const chunks = [];
  for await (const chunk of c.env.incoming) chunks.push(chunk);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return c.json({ next_heartbeat_ms: 18_000, ack_generation: body.generation });
});
const app = new Hono();
app.route('/v1', v1);
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`),
);

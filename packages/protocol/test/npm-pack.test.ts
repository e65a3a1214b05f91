import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The package as npm users get it: `npm pack`, then `npm install` of the tarball into an empty
 * directory, then plain Node.js (ESM) and plain tsc against what was installed. Offline and
 * reliable: zod comes from this workspace's own copy, packed too, and npm gets a cache of its
 * own, so nothing is fetched and nothing outside the temporary directory is written.
 */

const packageDir = join(import.meta.dirname, '..');
const repoRoot = join(packageDir, '..', '..');
const zodDir = dirname(createRequire(join(packageDir, 'package.json')).resolve('zod/package.json'));
const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
const run = promisify(execFile);

let work: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };

/** npm as a user runs it: without the npm_* settings pnpm or npm hand their child processes. */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const common = [
    '--cache',
    join(work, 'npm-cache'),
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
  ];
  return run('npm', [...args, ...common], { cwd, env, encoding: 'utf8' });
}

beforeAll(async () => {
  if (!existsSync(join(packageDir, 'dist', 'index.js')))
    throw new Error('packages/protocol/dist is missing: run pnpm build first');
  work = mkdtempSync(join(tmpdir(), 'apiary-npm-pack-'));
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "private": true, "type": "module" }\n');
  // --ignore-scripts: pack the build turbo just made rather than rebuild it (prepack) mid-run.
  const { stdout } = await npm(['pack', '--json', '--pack-destination', work], packageDir);
  packed = (JSON.parse(stdout) as (typeof packed)[])[0] as typeof packed;
  // zod packed from a copy: npm refuses to pack inside pnpm's store.
  cpSync(zodDir, join(work, 'zod'), { recursive: true, dereference: true });
  const zod = JSON.parse(
    (await npm(['pack', '--json', '--pack-destination', work], join(work, 'zod'))).stdout,
  ) as { filename: string }[];
  await npm(
    ['install', '--offline', join(work, zod[0]?.filename ?? ''), join(work, packed.filename)],
    app,
  );
}, 90_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('@apiary/protocol packed and installed with npm', () => {
  it('ships the build, its types and the README, and no TypeScript source', () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'dist/index.d.ts', 'dist/index.js', 'package.json']),
    );
    expect(
      files.filter((f) => !f.startsWith('dist/') && f !== 'README.md' && f !== 'package.json'),
    ).toEqual([]);
  });

  it('gives plain Node.js (ESM) both clients, working against a server, and the schemas', async () => {
    writeFileSync(join(app, 'check.mjs'), CHECK_SCRIPT);
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({
      controller: { baseUrl: 'http://127.0.0.1:9200', health: { status: 'healthy' } },
      agent: { baseUrl: 'http://10.0.0.2:9100', health: { status: 'healthy' } },
      spec: {
        image: 'alpine-cloud',
        engine: 'bhyve',
        cpu: 2,
        mem: 1024,
        networks: ['nat'],
        disk: 40960,
        ports: [22],
        deny_outgoing: false,
      },
      refused: 'validation',
    });
  }, 30_000);

  it('gives TypeScript (nodenext) the declarations through its exports', async () => {
    writeFileSync(join(app, 'check.ts'), CHECK_TYPES);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  }, 30_000);
});

/** Both clients from the installed package; each talks to a local server over real HTTP. */
const CHECK_SCRIPT = `
import { createServer } from 'node:http';
import { ApiError, createAgentClient, createControllerClient, VmSpec } from '@apiary/protocol';

const server = createServer((req, res) => {
  const ok = req.url === '/v1/health' || req.url === '/api/health';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(ok ? '{"status":"healthy"}' : '{"msg":"no such route","code":"not_found","requestId":"req_1"}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const local = 'http://127.0.0.1:' + server.address().port;

const controller = createControllerClient({ baseUrl: 'http://127.0.0.1:9200/', token: 'apy_x' });
const agent = createAgentClient({ baseUrl: 'http://10.0.0.2:9100', token: 'wh_x' });
let refused;
try {
  await controller.createEnv({ body: { id: 'Not an id!' } });
} catch (error) {
  refused = error instanceof ApiError ? error.code : String(error);
}
const result = {
  controller: {
    baseUrl: controller.http.baseUrl,
    health: await createControllerClient({ baseUrl: local }).health(),
  },
  agent: { baseUrl: agent.http.baseUrl, health: await createAgentClient({ baseUrl: local }).health() },
  spec: VmSpec.parse({ image: 'alpine-cloud' }),
  refused,
};
server.close();
process.stdout.write(JSON.stringify(result));
`;

const CHECK_TYPES = `
import { type Env, createAgentClient, createControllerClient, VmSpec } from '@apiary/protocol';

const api = createControllerClient({ baseUrl: 'http://127.0.0.1:9200' });
export async function stateOf(id: string): Promise<Env['state']> {
  return (await api.getEnv({ params: { id } })).state;
}
export const agent = createAgentClient({ baseUrl: 'http://10.0.0.2:9100' });
export const spec: VmSpec = VmSpec.parse({ image: 'alpine-cloud' });
// @ts-expect-error: a route's params are typed
export const wrong = api.getEnv({ params: { name: 'x' } });
`;

const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2023', 'dom'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['check.ts'],
};

import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { fleetForFile } from './file-fleet.js';

/*
 * Both daemons publish an OpenAPI document a stranger's tooling can use: `redocly lint` (the
 * Redocly CLI from npm, its recommended rules) finds no error in either, and a client generated
 * from each by openapi-typescript compiles under `tsc --strict` and calls the daemon.
 */

const run = promisify(execFile);
const require = createRequire(import.meta.url);

let controller: ControllerDaemon;
let agent: AgentDaemon;

fleetForFile({ agents: 1 }, (fleet) => {
  controller = fleet.controller;
  agent = fleet.agents[0] as AgentDaemon;
});

async function documentOf(daemon: ControllerDaemon | AgentDaemon, path: string) {
  const res = await daemon.fetch(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  location: Array<{ pointer: string }>;
}

/** `redocly lint --format=json` of one document: its problems. */
async function lint(document: Record<string, unknown>, name: string): Promise<LintProblem[]> {
  const file = join(tempDir('openapi-lint'), `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  const bin = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  // Exit code 1 when it finds errors: the JSON report on stdout says which either way.
  const result = await run(process.execPath, [bin, 'lint', file, '--format=json'], {
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
    problems: LintProblem[];
  };
  return report.problems;
}

/**
 * The only problems allowed: operations that take no input and need no credential have no 4xx
 * answer to declare (health, service info, metrics), which the recommended rules warn about.
 */
function unexpected(problems: LintProblem[]) {
  const quietOperations = /^#\/paths\/~1(metrics|v1~1health|api~1health|)\/get\/responses$/;
  return problems.filter(
    (p) =>
      !(
        p.severity === 'warn' &&
        p.ruleId === 'operation-4xx-response' &&
        quietOperations.test(p.location[0]?.pointer ?? '')
      ),
  );
}

describe('the OpenAPI documents of both daemons', () => {
  it('pass redocly lint with no error, and declare servers, security and 4xx answers', async () => {
    const controllerDoc = await documentOf(controller, '/v1/openapi.json');
    const agentDoc = await documentOf(agent, '/api/openapi.json');
    for (const [name, doc] of [
      ['controller', controllerDoc],
      ['agent', agentDoc],
    ] as const) {
      expect(unexpected(await lint(doc, name)), name).toEqual([]);
      expect(doc.servers).toBeDefined();
      expect((doc.info as { license?: unknown }).license).toBeDefined();
    }
    const paths = controllerDoc.paths as Record<string, Record<string, Record<string, unknown>>>;
    expect(paths['/v1/health']?.get?.security).toEqual([]);
    expect(Object.keys(paths['/v1/envs/{id}']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404']),
    );
    expect(paths['/metrics']?.get).toBeDefined();
    expect(paths['/v1/console']?.get?.responses).toHaveProperty('101');
    expect((agentDoc.paths as Record<string, unknown>)['/api/vms/{id}/vnc']).toBeDefined();
  }, 120_000);

  it('serves a reference page on each daemon, linking its document', async () => {
    for (const [daemon, path] of [
      [controller, '/v1/openapi.json'],
      [agent, '/api/openapi.json'],
    ] as const) {
      const page = await (await daemon.fetch('/docs')).text();
      expect(page).toContain(`href="${path}"`);
    }
  });

  it('generates a client from each document that compiles and calls the daemon', async () => {
    const dir = tempDir('openapi-client');
    const fetchDist = join(dirname(require.resolve('openapi-fetch/package.json')), 'dist');
    for (const [name, daemon, path] of [
      ['controller', controller, '/v1/openapi.json'],
      ['agent', agent, '/api/openapi.json'],
    ] as const) {
      const types = astToString(await openapiTS((await documentOf(daemon, path)) as never));
      writeFileSync(join(dir, `${name}-api.ts`), types);
    }
    // Calls written against the generated types: they compile only if the documents describe
    // these operations, their auth header and their answers.
    writeFileSync(
      join(dir, 'smoke.ts'),
      `declare const process: { argv: string[] };
import createClient from 'openapi-fetch';
import type { paths as ControllerPaths } from './controller-api.js';
import type { paths as AgentPaths } from './agent-api.js';

const [controllerUrl, agentUrl, agentKey] = process.argv.slice(2) as [string, string, string];
const controller = createClient<ControllerPaths>({ baseUrl: controllerUrl });
const health = await controller.GET('/v1/health');
const status: string | undefined = health.data?.status;
const agent = createClient<AgentPaths>({
  baseUrl: agentUrl,
  headers: { authorization: \`Bearer \${agentKey}\` },
});
const info = await agent.GET('/api/info');
const hostname: string | undefined = info.data?.hostname;
console.log(JSON.stringify({ status, hostname }));
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          skipLibCheck: true,
          types: [],
          // The temporary directory has no node_modules: point the import at ours.
          paths: { 'openapi-fetch': [join(fetchDist, 'index.d.mts')] },
          outDir: 'out',
        },
        files: ['smoke.ts', 'controller-api.ts', 'agent-api.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', dir]).catch((error: { stdout?: string }) => {
      throw new Error(`the generated client does not compile:\n${error.stdout}`);
    });
    // The emitted module imports 'openapi-fetch' by name: give it the real file.
    const smoke = join(dir, 'out', 'smoke.js');
    writeFileSync(
      smoke,
      readFileSync(smoke, 'utf8').replace(
        "from 'openapi-fetch'",
        `from '${pathToFileURL(join(fetchDist, 'index.mjs')).href}'`,
      ),
    );
    const ca = join(dir, 'ca.pem');
    writeFileSync(
      ca,
      [controller.certFile, agent.certFile].map((f) => readFileSync(f, 'utf8').trim()).join('\n'),
    );
    const { stdout } = await run(
      process.execPath,
      [smoke, controller.url, agent.url, await agent.createKey('viewer')],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } },
    );
    expect(JSON.parse(stdout)).toEqual({ status: 'healthy', hostname: 'sim-host-1' });
  }, 120_000);
});

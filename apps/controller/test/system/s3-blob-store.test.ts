import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '@apiary/protocol';
import { Fleet, sampleImage, sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Server, TEST_BUCKET, TEST_CREDENTIALS } from '../helpers/s3-server.js';
import { tempDir } from '../helpers/temp.js';
import { asVmNames, footprint } from './footprint.js';

let fleet: Fleet | undefined;
afterAll(() => fleet?.destroy());

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

describe('the controller program with its blobs in an S3 bucket', () => {
  it('keeps an upload in the bucket, and a real agent pulls it from there to run a VM', async () => {
    const s3 = await startS3Server();
    const credentials = join(tempDir('s3-creds'), 'credentials');
    writeFileSync(
      credentials,
      `[default]\naws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    fleet = await Fleet.start({
      agents: 1,
      controllerArgs: [
        '--blob-store',
        `s3://${TEST_BUCKET}/system`,
        '--s3-endpoint',
        s3.endpoint,
        '--s3-path-style',
        '--s3-credentials-file',
        credentials,
      ],
    });
    const c = fleet.controller;
    const image = await uploadSampleImage(c.admin, 'alpine-cloud');
    expect(image.digest).toBe((await sampleImage('alpine-cloud')).digest);
    expect(await s3.keys('system/')).toEqual([`system/${image.digest.slice(7)}`]);

    const res = await c.call('POST', '/v1/envs', {
      id: 'from-bucket',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const env = await waitFor(
      async () => {
        const e = await json<Env>(c.call('GET', '/v1/envs/from-bucket'));
        return ['active', 'failed', 'degraded'].includes(e.state) ? e : undefined;
      },
      { what: 'from-bucket to be created', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(env.state).toBe('active');
    const agent = fleet.agents[0];
    const vm = env.vms[0];
    if (!agent || !vm) throw new Error('no agent or VM');
    expect(asVmNames(footprint(agent.host()).zones)).toEqual([`${vm.id}:running`]);
  }, 300_000);
});

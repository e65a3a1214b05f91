import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/services/images/open-blob-store.js';
import { type S3TestServer, s3TestServer, TEST_BUCKET } from './s3-server.js';
import { onCleanup } from './temp.js';

/**
 * moto's server mode (`moto_server`, Python), for what s3rver does not implement: copying
 * in parts (UploadPartCopy) and listing multipart uploads. Neither npm nor Debian has it (the
 * development machines' image brings it with pip), so the few tests using it skip where it
 * is missing, CI included; every other S3 test runs on s3rver, which the lockfile installs.
 */
export function motoServerPath(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'moto_server'), constants.X_OK);
      return join(dir, 'moto_server');
    } catch {
      // not in this one
    }
  }
  return null;
}

export const motoMissing = motoServerPath() === null;

export async function startMotoServer(): Promise<S3TestServer> {
  const path = motoServerPath();
  if (!path) throw new Error('moto_server is not on PATH');
  const child = spawn(path, ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  onCleanup(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start: ${seen}`)), 30_000);
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = seen.match(/Running on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`moto_server exited (${code}): ${seen}`)));
  });
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const admin = createS3Client({
    s3Endpoint: endpoint,
    s3Region: 'us-east-1',
    s3PathStyle: true,
    s3Credentials: credentials,
  });
  await admin.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
  admin.destroy();
  return s3TestServer(endpoint, credentials);
}

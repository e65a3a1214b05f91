import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { DirBlobStore } from '../../src/services/images/dir-blob-store.js';
import { BlobStoreConfigError, openBlobStore } from '../../src/services/images/open-blob-store.js';
import { readCredentialsFile } from '../../src/services/images/s3-credentials.js';
import { tempDir } from '../helpers/temp.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(['--data-dir', '/var/lib/apiary', ...argv], env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('--blob-store', () => {
  it('defaults to DATA_DIR/images, where blobs always were', () => {
    const config = parseConfig(['--data-dir', '/var/lib/apiary'], {});
    expect(config.blobStore).toBeUndefined();
    const store = openBlobStore(config);
    expect(store).toBeInstanceOf(DirBlobStore);
    expect(store.location).toBe('/var/lib/apiary/images');
    expect(store.localDir).toBe('/var/lib/apiary/images');
  });

  it('takes a directory, from the flag or APIARY_BLOB_STORE', () => {
    const flag = parseConfig(['--data-dir', 'd', '--blob-store', '/srv/apiary-blobs/'], {
      APIARY_BLOB_STORE: '/elsewhere',
    });
    expect(flag.blobStore).toEqual({ kind: 'dir', dir: '/srv/apiary-blobs' });
    const env = parseConfig(['--data-dir', 'd'], { APIARY_BLOB_STORE: '/mnt/shared/blobs' });
    expect(openBlobStore(env).location).toBe('/mnt/shared/blobs');
  });

  it('takes s3://bucket/prefix with the S3 settings', () => {
    const c = parseConfig(
      [
        '--data-dir',
        'd',
        '--blob-store',
        's3://apiary-images//fleet-a/blobs',
        '--s3-endpoint',
        'https://minio.internal:9000',
        '--s3-region',
        'eu-west-3',
        '--s3-path-style',
      ],
      { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET },
    );
    expect(c.blobStore).toEqual({ kind: 's3', bucket: 'apiary-images', prefix: 'fleet-a/blobs/' });
    expect(c).toMatchObject({
      s3Endpoint: 'https://minio.internal:9000',
      s3Region: 'eu-west-3',
      s3PathStyle: true,
      s3Credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
    });
    expect(openBlobStore(c).location).toBe('s3://apiary-images/fleet-a/blobs/');
    expect(parseConfig(['--data-dir', 'd', '--blob-store', 's3://b-1'], {}).blobStore).toEqual({
      kind: 's3',
      bucket: 'b-1',
      prefix: '',
    });
  });

  it('refuses bad bucket names, odd prefixes and other schemes', () => {
    expect(configError(['--blob-store', 's3://Bad_Bucket/x'])).toMatch(/bucket name/);
    expect(configError(['--blob-store', 's3://ok-bucket/a/../b'])).toMatch(/key prefix/);
    expect(configError(['--blob-store', 's3://ok-bucket/a b'])).toMatch(/key prefix/);
    expect(configError(['--blob-store', 'gs://bucket/x'])).toMatch(/s3:\/\/bucket\/prefix/);
    expect(configError(['--s3-endpoint', 'not a url'])).toMatch(/s3Endpoint/);
  });

  it('takes no credentials on the command line, and never repeats a secret in an error', () => {
    expect(configError(['--s3-secret-access-key', SECRET])).toMatch(/Unknown option/);
    const half = configError([], { AWS_SECRET_ACCESS_KEY: SECRET });
    expect(half).toMatch(/s3Credentials/);
    expect(half).not.toContain(SECRET);
  });
});

describe('S3 credentials', () => {
  it('are read from a credentials file, which wins over the environment', () => {
    const file = join(tempDir('creds'), 'credentials');
    writeFileSync(
      file,
      `# apiary\n[other]\naws_access_key_id = NOT-THIS\n\n[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = ${SECRET}\n`,
    );
    expect(readCredentialsFile(file)).toEqual({ accessKeyId: 'AKIDFILE', secretAccessKey: SECRET });
    const c = parseConfig(
      ['--data-dir', 'd', '--blob-store', 's3://bucket', '--s3-credentials-file', file],
      { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'env-secret' },
    );
    expect(() => openBlobStore(c)).not.toThrow();
  });

  it('name what is missing, not what is there', () => {
    const file = join(tempDir('creds'), 'credentials');
    writeFileSync(file, `[default]\naws_secret_access_key = ${SECRET}\n`);
    let message = '';
    try {
      readCredentialsFile(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/missing or empty: aws_access_key_id/);
    expect(message).not.toContain(SECRET);
    expect(() => readCredentialsFile(join(file, 'nope'))).toThrow(/ENOTDIR|ENOENT/);
  });

  it('must be given for an S3 store: the start fails with a usage error', () => {
    const c = parseConfig(['--data-dir', 'd', '--blob-store', 's3://bucket/p'], {});
    expect(() => openBlobStore(c)).toThrow(BlobStoreConfigError);
    expect(() => openBlobStore(c)).toThrow(/AWS_ACCESS_KEY_ID/);
  });
});

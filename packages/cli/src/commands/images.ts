import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import {
  AgentImageFormat,
  formatBytes,
  type Image,
  imageFormatFromFile,
  imageNameFromFile,
} from '@apiary/protocol';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { resolveImage } from '../lib/image-ref.js';
import { details, table } from '../lib/output.js';

function renderImage(i: Image): string {
  return details([
    ['digest', i.digest],
    ['name', i.name],
    ['format', i.format],
    ['size', formatBytes(i.size)],
    ['organization', i.org_id ?? '(all)'],
    ['hosts', i.hosts.length],
    ['created', i.created_at],
  ]);
}

export function registerImages(program: Command): void {
  const images = program.command('images').description('VM images (content-addressed)');

  images
    .command('import <file>')
    .description('upload an image file (zfs send stream, raw disk or ISO), with a progress bar')
    .option(
      '--name <name>',
      'image name (default: from the file name, e.g. Alpine-3.20.zfs -> alpine-3.20)',
    )
    .option(
      '--format <format>',
      'zfs-send, raw or iso (default: raw for .raw/.img, iso for .iso, else zfs-send)',
    )
    .action(
      withContext(async (ctx, file: string, o: { name?: string; format?: string }) => {
        const chosen = AgentImageFormat.safeParse(o.format ?? imageFormatFromFile(file));
        if (!chosen.success) {
          throw new UsageError(`--format is ${AgentImageFormat.options.join(', ')}`);
        }
        const format = chosen.data;
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          throw new UsageError(`cannot read ${file}`);
        }
        const name = o.name ?? imageNameFromFile(basename(file));
        const stderr = ctx.out.stderr as NodeJS.WriteStream;
        const bar =
          stderr.isTTY && !ctx.out.json
            ? new SingleBar({
                format: `uploading ${name} [{bar}] {percentage}% {value}/{total} bytes`,
                stream: stderr,
              })
            : null;
        bar?.start(size, 0);
        let sent = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            sent += chunk.length;
            bar?.update(sent);
            done(null, chunk);
          },
        });
        try {
          const body = Readable.toWeb(createReadStream(file).pipe(counter)) as ReadableStream;
          const image = await ctx
            .client()
            .uploadImage(
              { query: { name, format }, body, contentLength: size },
              { timeoutMs: 24 * 3600_000 },
            );
          bar?.stop();
          ctx.out.result(image, renderImage);
        } finally {
          bar?.stop();
        }
      }),
    );

  images
    .command('list')
    .description('list images')
    .option(
      '--format <format>',
      `only images of this format (${AgentImageFormat.options.join(', ')})`,
    )
    .action(
      withContext(async (ctx, o: { format?: string }) => {
        const format = o.format === undefined ? undefined : AgentImageFormat.safeParse(o.format);
        if (format && !format.success) {
          throw new UsageError(`--format is ${AgentImageFormat.options.join(', ')}`);
        }
        const page = await ctx
          .client()
          .listImages({ query: { limit: 1000, ...(format ? { format: format.data } : {}) } });
        ctx.out.result(page.items, (items) =>
          table(
            ['NAME', 'DIGEST', 'FORMAT', 'SIZE', 'HOSTS', 'CREATED'],
            items.map((i) => [
              i.name,
              `${i.digest.slice(0, 19)}...`,
              i.format,
              formatBytes(i.size),
              i.hosts.length,
              i.created_at,
            ]),
          ),
        );
      }),
    );

  images
    .command('usage')
    .description("the organization's image storage and its quota")
    .option('--org <id>', 'organization (default: your own)')
    .action(
      withContext(async (ctx, o: { org?: string }) => {
        const client = ctx.client();
        const org = o.org ?? (await client.whoami()).org?.id;
        if (!org) throw new UsageError('you belong to no organization: name one with --org');
        const usage = await client.getOrgUsage({ params: { id: org } });
        ctx.out.result(usage, (u) => {
          const share = u.images.quota_bytes > 0 ? u.images.bytes / u.images.quota_bytes : 1;
          return details([
            ['organization', u.org_id],
            ['images', u.images.count],
            ['used', formatBytes(u.images.bytes)],
            [
              'quota',
              `${formatBytes(u.images.quota_bytes)}${u.images.quota_is_default ? ' (default)' : ''}`,
            ],
            ['share', `${(share * 100).toFixed(1)}%`],
          ]);
        });
      }),
    );

  images
    .command('show <image>')
    .description(
      "one image, by name (the newest of that name, your organization's before public ones) or sha256 digest",
    )
    .action(
      withContext(async (ctx, ref: string) => {
        ctx.out.result(await resolveImage(ctx.client(), ref), renderImage);
      }),
    );

  images
    .command('delete <digest>')
    .description('delete an image (refused while a VM uses it)')
    .action(
      withContext(async (ctx, digest: string) => {
        await ctx.client().deleteImage({ params: { digest } });
        ctx.out.result({ digest, deleted: true }, () => `image ${digest} deleted`);
      }),
    );
}

import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import {
  AgentImageFormat,
  formatBytes,
  type Image,
  imageFormatFromFile,
  imageNameFromFile,
  UploadFormat,
} from '@apiary/protocol';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { parseBoxRef } from '../lib/box-ref.js';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { resolveImage } from '../lib/image-ref.js';
import { details, table } from '../lib/output.js';
import { runIntake } from '../lib/run-intake.js';

/** The metadata as the upload's query string carries it. */
function queryOf(m: ReturnType<typeof metadataOf>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
}

function renderImage(i: Image): string {
  const rows: Array<[string, string | number]> = [
    ['digest', i.digest],
    ['name', i.name],
    ['format', i.format],
    ['size', formatBytes(i.size)],
  ];
  if (i.source_format && i.source_format !== i.format) rows.push(['from', i.source_format]);
  if (i.source_digest) rows.push(['source digest', i.source_digest]);
  if (i.box) rows.push(['box', `${i.box.name}@${i.box.version} (${i.box.provider})`]);
  if (i.os) rows.push(['os', [i.os, i.version, i.arch].filter(Boolean).join(' ')]);
  if (i.cloud_init !== null) rows.push(['cloud-init', i.cloud_init ? 'yes' : 'no']);
  if (i.default_user) rows.push(['default user', i.default_user]);
  if (i.min_disk) rows.push(['min disk', `${i.min_disk} MiB`]);
  if (i.description) rows.push(['description', i.description]);
  rows.push(
    ['organization', i.org_id ?? '(all)'],
    ['hosts', i.hosts.length],
    ['created', i.created_at],
  );
  return details(rows);
}

/** `--os`, `--cloud-init` and the other metadata flags of import and fetch. */
interface MetadataFlags {
  os?: string;
  osVersion?: string;
  arch?: string;
  cloudInit?: boolean;
  defaultUser?: string;
  minDisk?: string;
}

function metadataOptions(cmd: Command): Command {
  return cmd
    .option('--os <name>', 'guest operating system (debian, ubuntu, omnios)')
    .option('--os-version <version>', 'its version (12, 24.04, r151052)')
    .option('--arch <arch>', 'CPU architecture (x86_64)')
    .option('--cloud-init', 'the guest runs cloud-init')
    .option('--no-cloud-init', 'the guest does not run cloud-init')
    .option('--default-user <user>', 'the user cloud-init gives the SSH keys to')
    .option('--min-disk <MiB>', 'the smallest disk the image fits on, in MiB');
}

function metadataOf(o: MetadataFlags) {
  const minDisk = o.minDisk === undefined ? undefined : Number(o.minDisk);
  if (minDisk !== undefined && (!Number.isSafeInteger(minDisk) || minDisk < 1)) {
    throw new UsageError('--min-disk is a whole number of MiB');
  }
  return {
    ...(o.os ? { os: o.os } : {}),
    ...(o.osVersion ? { version: o.osVersion } : {}),
    ...(o.arch ? { arch: o.arch } : {}),
    ...(o.cloudInit === undefined ? {} : { cloud_init: o.cloudInit }),
    ...(o.defaultUser ? { default_user: o.defaultUser } : {}),
    ...(minDisk ? { min_disk: minDisk } : {}),
  };
}

export function registerImages(program: Command): void {
  const images = program.command('images').description('VM images (content-addressed)');

  metadataOptions(
    images
      .command('import <file>')
      .alias('upload')
      .description(
        'upload an image file (zfs send stream, raw disk, qcow2 converted to raw by the controller, or ISO), with a progress bar',
      )
      .option(
        '--name <name>',
        'image name (default: from the file name, e.g. Alpine-3.20.zfs -> alpine-3.20)',
      )
      .option(
        '--format <format>',
        'zfs-send, raw, qcow2 or iso (default: raw for .raw/.img, qcow2 for .qcow2, iso for .iso, else zfs-send)',
      ),
  ).action(
    withContext(
      async (ctx, file: string, o: { name?: string; format?: string } & MetadataFlags) => {
        const chosen = UploadFormat.safeParse(o.format ?? imageFormatFromFile(file));
        if (!chosen.success) {
          throw new UsageError(`--format is ${UploadFormat.options.join(', ')}`);
        }
        const metadata = metadataOf(o);
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
          const image = await ctx.client().uploadImage(
            {
              query: { name, format, ...queryOf(metadata) },
              body,
              contentLength: size,
            },
            { timeoutMs: 24 * 3600_000 },
          );
          bar?.stop();
          ctx.out.result(image, renderImage);
        } finally {
          bar?.stop();
        }
      },
    ),
  );

  metadataOptions(
    images
      .command('fetch <url>')
      .description(
        'have the controller download a cloud image (raw or qcow2, converted to raw) from a URL',
      )
      .requiredOption('--name <name>', 'image name')
      .option(
        '--format <format>',
        'zfs-send, raw, qcow2 or iso (default: from the URL: .qcow2, .raw/.img, .iso, else zfs-send)',
      )
      .option('--no-wait', 'return the operation once accepted, without following the download'),
  ).action(
    withContext(
      async (
        ctx,
        url: string,
        o: { name: string; format?: string; wait?: boolean } & MetadataFlags,
      ) => {
        const format = o.format === undefined ? undefined : UploadFormat.safeParse(o.format);
        if (format && !format.success) {
          throw new UsageError(`--format is ${UploadFormat.options.join(', ')}`);
        }
        const metadata = metadataOf(o);
        await runIntake(
          ctx,
          { wait: o.wait, subject: o.name },
          () =>
            ctx.client().fetchImage({
              body: {
                url,
                name: o.name,
                ...(format ? { format: format.data } : {}),
                ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
              },
            }),
          renderImage,
        );
      },
    ),
  );

  images
    .command('pull-box <box>')
    .description(
      'pull a Vagrant box (ORG/BOX or ORG/BOX@VERSION; default the newest with a bhyve or zone provider) from a registry',
    )
    .requiredOption('--registry <name|url>', 'a registry of your organization, or a registry URL')
    .option('--name <name>', 'image name (default: the box name, e.g. acme/debian -> acme-debian)')
    .option('--no-wait', 'return the operation once accepted, without following the download')
    .action(
      withContext(
        async (ctx, ref: string, o: { registry: string; name?: string; wait?: boolean }) => {
          const { box, version } = parseBoxRef(ref);
          await runIntake(
            ctx,
            { wait: o.wait, subject: ref },
            () =>
              ctx.client().pullBox({
                body: {
                  registry: o.registry,
                  box,
                  ...(version ? { version } : {}),
                  ...(o.name ? { name: o.name } : {}),
                },
              }),
            renderImage,
          );
        },
      ),
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
            ['NAME', 'DIGEST', 'FORMAT', 'SIZE', 'OS', 'CLOUD-INIT', 'HOSTS', 'CREATED'],
            items.map((i) => [
              i.name,
              `${i.digest.slice(0, 19)}...`,
              i.format,
              formatBytes(i.size),
              [i.os, i.version].filter(Boolean).join(' ') || '-',
              i.cloud_init === null ? '-' : i.cloud_init ? 'yes' : 'no',
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

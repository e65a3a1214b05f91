import {
  type Compression,
  Compression as CompressionValues,
  type ControllerClient,
  type CreateDatasetReqInput,
  type DatasetChange,
  type DatasetQuery,
} from '@apiary/protocol';
import type { Command } from 'commander';
import { bytesFlag, optionalBytesFlag } from '../lib/byte-flags.js';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { resolveHostId } from '../lib/host-names.js';
import { orNearName } from '../lib/near-name.js';
import { renderDataset, renderDatasets, renderPools, renderSwap } from './render-host-resources.js';

/*
 * `apiary hosts pools|datasets|swap ...` (issue 14): a host's storage through the controller.
 * Sizes are typed like the VM commands' (`20G`; a bare number is MiB) and sent in bytes.
 * Apiary's own datasets are listed, marked, and refused by the host if changed.
 */

interface ChangeFlags {
  quota?: string;
  reservation?: string;
  compression?: string;
  atime?: string;
}

function changeOf(o: ChangeFlags): DatasetChange {
  if (o.compression !== undefined && !CompressionValues.safeParse(o.compression).success) {
    throw new UsageError(`--compression is one of ${CompressionValues.options.join(', ')}`);
  }
  if (o.atime !== undefined && o.atime !== 'on' && o.atime !== 'off') {
    throw new UsageError('--atime is on or off');
  }
  return {
    quota: optionalBytesFlag('--quota', o.quota),
    reservation: optionalBytesFlag('--reservation', o.reservation),
    compression: o.compression as Compression | undefined,
    atime: o.atime as 'on' | 'off' | undefined,
  };
}

const withChangeFlags = (c: Command) =>
  c
    .option('--quota <size|none>', 'most the dataset and its children may use')
    .option('--reservation <size|none>', 'space kept for it')
    .option('--compression <algorithm>', 'on, off, lz4, gzip-N, ...')
    .option('--atime <on|off>', 'record access times');

export function registerHostStorageCommands(hosts: Command): void {
  hosts
    .command('pools <host>')
    .description("a host's pools: size, allocation, fragmentation, health and vdev tree")
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        const list = await ctx.client().listHostPools({ params: { id } });
        ctx.out.result(list, (l) => renderPools(l.items));
      }),
    );

  const datasets = hosts
    .command('datasets')
    .description("a host's datasets, Apiary's marked (they cannot be changed here)")
    .argument('<host>', 'hostname or id')
    .option('--pool <pool>', 'only this pool')
    .option(
      '--type <type>',
      'filesystem, volume, snapshot or all (default: file systems and volumes)',
    )
    .action(
      withContext(async (ctx, named: string, o: { pool?: string; type?: string }) => {
        const id = await resolveHostId(ctx.client(), named);
        const query: DatasetQuery = { pool: o.pool, type: o.type as DatasetQuery['type'] };
        const list = await ctx.client().listHostDatasets({ params: { id }, query });
        ctx.out.result(list, (l) => renderDatasets(l.items));
      }),
    );
  withChangeFlags(
    datasets
      .command('create <host> <name>')
      .description('create a file system (or with --volume, a volume of --size) on a host')
      .option('--volume', 'a volume (block device) instead of a file system')
      .option('--size <size>', 'the volume size, e.g. 20G')
      .option('--sparse', 'a volume without a reservation (thin)')
      .option('--recordsize <bytes>', 'file systems: the record size, e.g. 131072')
      .option('--volblocksize <bytes>', 'volumes: the block size, e.g. 8192'),
  ).action(
    withContext(
      async (
        ctx,
        named: string,
        name: string,
        o: ChangeFlags & {
          volume?: boolean;
          size?: string;
          sparse?: boolean;
          recordsize?: string;
          volblocksize?: string;
        },
      ) => {
        const body: CreateDatasetReqInput = {
          name,
          type: o.volume ? 'volume' : 'filesystem',
          size: o.size === undefined ? undefined : bytesFlag('--size', o.size),
          sparse: o.sparse,
          properties: {
            ...changeOf(o),
            recordsize: intFlag('--recordsize', o.recordsize),
            volblocksize: intFlag('--volblocksize', o.volblocksize),
          },
        };
        const id = await resolveHostId(ctx.client(), named);
        ctx.out.result(
          await ctx.client().createHostDataset({ params: { id }, body }),
          renderDataset,
        );
      },
    ),
  );
  withChangeFlags(
    datasets
      .command('set <host> <name>')
      .description('change quota, reservation, compression or atime'),
  ).action(
    withContext(async (ctx, named: string, name: string, o: ChangeFlags) => {
      const body = changeOf(o);
      if (Object.values(body).every((v) => v === undefined)) {
        throw new UsageError('give --quota, --reservation, --compression or --atime');
      }
      const client = ctx.client();
      const id = await resolveHostId(client, named);
      const dataset = await orNearName(
        'dataset',
        name,
        () => datasetNames(client, id),
        () => client.updateHostDataset({ params: { id, name }, body }),
      );
      ctx.out.result(dataset, renderDataset);
    }),
  );
  datasets
    .command('delete <host> <name>')
    .description('destroy a dataset of a host (not Apiary’s)')
    .option('--recursive', 'with its children and snapshots (zfs destroy -r)')
    .action(
      withContext(async (ctx, named: string, name: string, o: { recursive?: boolean }) => {
        const client = ctx.client();
        const id = await resolveHostId(client, named);
        await orNearName(
          'dataset',
          name,
          () => datasetNames(client, id),
          () =>
            client.deleteHostDataset({
              params: { id, name },
              query: { recursive: o.recursive ? 'true' : 'false' },
            }),
        );
        ctx.out.result(
          { host: id, dataset: name, deleted: true },
          () => `dataset ${name} destroyed`,
        );
      }),
    );

  const swap = hosts
    .command('swap')
    .description("a host's swap devices")
    .argument('<host>', 'hostname or id')
    .action(
      withContext(async (ctx, named: string) => {
        const id = await resolveHostId(ctx.client(), named);
        const list = await ctx.client().listHostSwap({ params: { id } });
        ctx.out.result(list, (l) => renderSwap(l.items));
      }),
    );
  swap
    .command('add <host> <volume>')
    .description('swap on a volume (with --size, the volume is created first)')
    .option('--size <size>', 'create the volume with this size, e.g. 4G')
    .action(
      withContext(async (ctx, named: string, name: string, o: { size?: string }) => {
        const size = o.size === undefined ? undefined : bytesFlag('--size', o.size);
        const id = await resolveHostId(ctx.client(), named);
        const device = await ctx.client().addHostSwap({ params: { id }, body: { name, size } });
        ctx.out.result(device, (d) => renderSwap([d]));
      }),
    );
  swap
    .command('remove <host> <volume>')
    .description('stop swapping on a volume')
    .option('--destroy', 'and destroy the volume')
    .action(
      withContext(async (ctx, named: string, name: string, o: { destroy?: boolean }) => {
        const client = ctx.client();
        const id = await resolveHostId(client, named);
        await orNearName(
          'swap volume',
          name,
          async () =>
            (await client.listHostSwap({ params: { id } })).items.flatMap((s) =>
              s.dataset ? [s.dataset] : [],
            ),
          () =>
            client.removeHostSwap({
              params: { id, name },
              query: { destroy: o.destroy ? 'true' : 'false' },
            }),
        );
        ctx.out.result({ host: id, swap: name, removed: true }, () => `swap on ${name} removed`);
      }),
    );
}

async function datasetNames(client: ControllerClient, id: string): Promise<string[]> {
  const { items } = await client.listHostDatasets({ params: { id }, query: { type: 'all' } });
  return items.map((d) => d.name);
}

function intFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} is a number of bytes`);
  return Number(text);
}

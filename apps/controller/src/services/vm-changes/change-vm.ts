import {
  type AddDiskReq,
  ApiError,
  type AttachCdromReq,
  type UpdateVmReq,
  type VmOperationAccepted,
} from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
import type { VmRow } from '../envs/env-view.js';
import { resolveImageRef } from '../images/images.js';
import { requireMinDisk } from '../images/min-disk.js';
import { acceptChange } from './accept-change.js';
import { acceptedAnswer } from './accepted.js';
import { growth } from './reservation.js';

const NONE = { cpu: 0, mem: 0, disk: 0 };

/** `PATCH /v1/vms/{id}`: cpu, mem, boot disk (grow only), deny_outgoing, ports. */
export async function updateVm(
  ctx: Ctx,
  p: Principal,
  name: string,
  query: { restart: boolean; org?: string },
  body: UpdateVmReq,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, query.org);
  if (body.disk !== undefined && body.disk < vm.disk) {
    throw new ApiError(
      'validation',
      `the boot disk only grows: ${body.disk} MiB is less than its ${vm.disk} MiB`,
    );
  }
  if (body.disk !== undefined) await requireImageFits(ctx, vm, body.disk);
  const after = { cpu: body.cpu ?? vm.cpu, mem: body.mem ?? vm.mem, disk: body.disk ?? vm.disk };
  const id = await acceptChange(ctx, vm, {
    kind: 'update',
    call: { params: { id: vm.id }, query: { restart: query.restart }, body },
    demand: growth(vm, after),
  });
  return acceptedAnswer(ctx, id, vm.id);
}

/** A boot disk changed to `disk` MiB still holds the VM's image (its `min_disk`). */
async function requireImageFits(ctx: Ctx, vm: VmRow, disk: number): Promise<void> {
  if (!vm.imageDigest || vm.bootIso) return;
  const { images } = ctx.t;
  const rows = await ctx.db.select().from(images).where(eq(images.digest, vm.imageDigest));
  // The VM's organization's record first, else the public one.
  const image = rows.find((r) => r.orgId === vm.orgId) ?? rows.find((r) => r.orgId === null);
  if (image) requireMinDisk(image, disk, 'body.disk');
}

/** `POST /v1/vms/{id}/disks`: a data disk of `size` MiB, reserved on the host first. */
export async function addVmDisk(
  ctx: Ctx,
  p: Principal,
  name: string,
  body: AddDiskReq,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  const id = await acceptChange(ctx, vm, {
    kind: 'add_disk',
    call: { params: { id: vm.id }, body },
    demand: { ...NONE, disk: body.size },
  });
  return acceptedAnswer(ctx, id, vm.id);
}

/** `DELETE /v1/vms/{id}/disks/{n}`: its capacity is given back once the agent removed it. */
export async function removeVmDisk(
  ctx: Ctx,
  p: Principal,
  name: string,
  n: number,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  if (vm.disks && !vm.disks.some((d) => d.n === n)) {
    throw new ApiError('not_found', `VM ${vm.name} has no data disk ${n}`);
  }
  const id = await acceptChange(ctx, vm, {
    kind: 'remove_disk',
    call: { params: { id: vm.id, n } },
    demand: NONE,
  });
  return acceptedAnswer(ctx, id, vm.id);
}

/** `PUT /v1/vms/{id}/cdrom`: an ISO image of the VM's organization or a public one. */
export async function attachVmCdrom(
  ctx: Ctx,
  p: Principal,
  name: string,
  body: AttachCdromReq,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  const image = await resolveImageRef(ctx, vm.orgId, body.image);
  if (image.format !== 'iso') {
    throw new ApiError(
      'validation',
      `image ${body.image} is a ${image.format} image; a CD-ROM takes an iso image`,
    );
  }
  const id = await acceptChange(ctx, vm, {
    kind: 'attach_cdrom',
    call: { params: { id: vm.id }, body: { image: image.digest } },
    demand: NONE,
  });
  return acceptedAnswer(ctx, id, vm.id);
}

/** `DELETE /v1/vms/{id}/cdrom`. */
export async function detachVmCdrom(
  ctx: Ctx,
  p: Principal,
  name: string,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  const id = await acceptChange(ctx, vm, {
    kind: 'detach_cdrom',
    call: { params: { id: vm.id } },
    demand: NONE,
  });
  return acceptedAnswer(ctx, id, vm.id);
}

import { formatBytes, type Image, type Registry } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import { formatDateTime, shortDigest } from '../../lib/format.js';
import { cloudInitLabel, imageOrigin, imageOs } from '../../lib/image-summary.js';
import { useApp } from '../../state/app-context.js';
import { useAction } from '../../state/use-action.js';
import { useQuery } from '../../state/use-query.js';
import { Button } from '../../ui/button.js';
import { ConfirmDialog } from '../../ui/confirm-dialog.js';
import { CopyButton } from '../../ui/copy-button.js';
import { EmptyState, LoadState, PageHeader } from '../../ui/page.js';
import { FetchDialog } from './fetch-dialog.js';
import { PullBoxDialog } from './pull-box-dialog.js';
import { RegistriesPanel } from './registries-panel.js';
import { UploadDialog } from './upload-dialog.js';

export function ImagesView() {
  const { api } = useApp();
  const images = useQuery('images', (a) => a.listImages({ query: { limit: 1000 } }), ['images']);
  const registries = useQuery('registries', (a) => a.listRegistries({}), ['images']);
  const hosts = useQuery('hosts', (a) => a.listHosts({ query: { limit: 1000 } }), ['hosts']);
  const { run, pending } = useAction();
  const [uploading, setUploading] = useState(false);
  const [fetching, setFetching] = useState(false);
  const [pulling, setPulling] = useState<{
    registries: Registry[];
    initial?: { registry: string; box: string };
  } | null>(null);
  const [deleting, setDeleting] = useState<Image | null>(null);
  const hostname = (id: string) => hosts.data?.items.find((h) => h.id === id)?.hostname ?? id;

  const remove = async (image: Image) => {
    await run('delete', () => api.deleteImage({ params: { digest: image.digest } }), {
      errorTitle: `Could not delete ${image.name}`,
      success: `Deleted ${image.name}`,
      invalidate: ['images', 'status'],
    });
    setDeleting(null);
  };

  return (
    <div class="page">
      <PageHeader
        title="Images"
        subtitle="Content-addressed VM images and ISOs. Hosts pull them by digest when a VM needs one."
        actions={
          <>
            <Button onClick={() => setFetching(true)}>Fetch from URL</Button>
            <Button onClick={() => setPulling({ registries: registries.data?.items ?? [] })}>
              Pull a box
            </Button>
            <Button variant="primary" icon="upload" onClick={() => setUploading(true)}>
              Upload image
            </Button>
          </>
        }
      />
      {!images.data ? (
        <LoadState
          loading={images.loading}
          error={images.error}
          onRetry={images.refetch}
          what="images"
        />
      ) : images.data.items.length === 0 ? (
        <EmptyState
          icon="images"
          title="No images yet"
          action={
            <Button variant="primary" icon="upload" onClick={() => setUploading(true)}>
              Upload image
            </Button>
          }
        >
          Upload a zfs send stream, a raw disk image or an ISO to install from, or import one with{' '}
          <span class="mono">apiary images import FILE</span>.
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="images-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Digest</th>
                <th>Format</th>
                <th class="num">Size</th>
                <th>OS</th>
                <th>cloud-init</th>
                <th>Source</th>
                <th>Cached on</th>
                <th>Uploaded</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {images.data.items.map((image) => (
                <tr key={image.digest} data-testid="image-row">
                  <td class="strong">{image.name}</td>
                  <td>
                    <span class="mono digest" title={image.digest}>
                      {shortDigest(image.digest)}
                    </span>
                    <CopyButton value={image.digest} label="Copy digest" />
                  </td>
                  <td
                    title={image.format === 'iso' ? 'a CD-ROM image VMs install from' : undefined}
                  >
                    {image.format === 'iso' ? 'ISO' : image.format}
                  </td>
                  <td class="num">{formatBytes(image.size)}</td>
                  <td>{imageOs(image) || <span class="muted">-</span>}</td>
                  <td>{cloudInitLabel(image) || <span class="muted">unknown</span>}</td>
                  <td class="muted" title={image.source_digest ?? undefined}>
                    {imageOrigin(image) || '-'}
                    {image.description ? <div class="small">{image.description}</div> : null}
                  </td>
                  <td>
                    {image.hosts.length === 0 ? (
                      <span class="muted">no host yet</span>
                    ) : (
                      <span title={image.hosts.map(hostname).join(', ')}>
                        {image.hosts.length} {image.hosts.length === 1 ? 'host' : 'hosts'}
                      </span>
                    )}
                  </td>
                  <td class="muted">{formatDateTime(image.created_at)}</td>
                  <td class="actions-col">
                    <Button
                      size="sm"
                      variant="ghost"
                      icon="trash"
                      onClick={() => setDeleting(image)}
                      aria-label={`Delete ${image.name}`}
                      title="Delete"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RegistriesPanel onPull={(registries, initial) => setPulling({ registries, initial })} />
      {uploading ? <UploadDialog onClose={() => setUploading(false)} /> : null}
      {fetching ? <FetchDialog onClose={() => setFetching(false)} /> : null}
      {pulling ? (
        <PullBoxDialog
          registries={pulling.registries}
          initial={pulling.initial}
          onClose={() => setPulling(null)}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete image"
        danger
        busy={pending === 'delete'}
        onConfirm={() => deleting && remove(deleting)}
        onClose={() => setDeleting(null)}
      >
        <p>
          The controller refuses while a VM still uses it. Hosts drop their cached copies later.
        </p>
      </ConfirmDialog>
    </div>
  );
}

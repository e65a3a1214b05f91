import type { AuditEvent } from '@apiary/protocol';
import { formatAgo, formatDateTime } from '../../lib/format.js';
import { ALL_TOPICS } from '../../state/topics.js';
import { useNow } from '../../state/use-now.js';
import { useQuery } from '../../state/use-query.js';
import { LoadState, Panel } from '../../ui/page.js';

/*
 * Recent entries of the audit trail (`GET /v1/audit`): who changed what, and how it ended. The
 * fleet page shows everything the user may see; a host or environment page its own resource.
 * Any server event may have added an entry, so every topic refreshes it.
 */

const ACTOR_SUFFIX: Record<AuditEvent['actor']['kind'], string> = {
  user: '',
  api_key: ' (API key)',
  localhost: '',
  host: ' (host)',
  system: ' (controller)',
};

/** `createEnv` -> `create env`, `liveness.down` -> `liveness down`. */
export function actionLabel(action: string): string {
  return action
    .replace(/\./g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

export function ActivityFeed({
  resource,
  limit = 15,
  testId = 'activity',
}: {
  /** `env:web`, `host:host_...`; all of the user's organization when left out. */
  resource?: string;
  limit?: number;
  testId?: string;
}) {
  const now = useNow(10_000);
  const feed = useQuery(
    `audit:${resource ?? '*'}:${limit}`,
    (api) => api.listAudit({ query: { resource, limit } }),
    ALL_TOPICS,
  );
  return (
    <Panel title="Activity" flush testId={testId}>
      {!feed.data ? (
        <LoadState
          loading={feed.loading}
          error={feed.error}
          onRetry={feed.refetch}
          what="activity"
        />
      ) : feed.data.items.length === 0 ? (
        <p class="muted panel-note">Nothing recorded yet.</p>
      ) : (
        <table class="table table-compact">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              {resource ? null : <th>On</th>}
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {feed.data.items.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td title={formatDateTime(e.at)}>{formatAgo(e.at, now)}</td>
                <td>
                  {e.actor.name}
                  <span class="muted">{ACTOR_SUFFIX[e.actor.kind]}</span>
                </td>
                <td>{actionLabel(e.action)}</td>
                {resource ? null : (
                  <td class="mono">
                    {e.resource.kind}
                    {e.resource.id ? ` ${e.resource.id}` : ''}
                  </td>
                )}
                <td class={e.outcome === 'failed' ? 'activity-failed' : undefined}>
                  {e.outcome === 'failed' && e.error_code
                    ? `failed (${e.error_code.replace(/_/g, ' ')})`
                    : e.outcome}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

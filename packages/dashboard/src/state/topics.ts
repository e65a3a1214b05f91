/** What a cached query depends on; server events invalidate topics, not individual queries. */
export type Topic = 'hosts' | 'envs' | 'images' | 'keys' | 'status' | 'tenancy';

export const ALL_TOPICS: readonly Topic[] = [
  'hosts',
  'envs',
  'images',
  'keys',
  'status',
  'tenancy',
];

/**
 * Which cached data an event from `GET /v1/events` may have changed. Events are matched by their
 * family (`host.liveness` -> host) so new event kinds of a known family just work; unknown
 * families refresh everything rather than risk a stale screen.
 */
export function topicsForEvent(eventName: string): readonly Topic[] {
  const family = eventName.split('.')[0];
  switch (family) {
    case 'host':
    case 'drain':
      return ['hosts', 'status'];
    case 'env':
      return ['envs', 'status'];
    case 'vm':
      // A VM changing state moves capacity and VM counts on its host too.
      return ['envs', 'hosts', 'status'];
    case 'image':
      return ['images', 'status'];
    case 'api_key':
    case 'license_key':
      return ['keys'];
    case 'org':
    case 'user':
      return ['tenancy'];
    case 'ping':
    case 'hello':
    case 'ready':
      return [];
    default:
      return ALL_TOPICS;
  }
}

import type { WhoAmI } from '@apiary/protocol';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api/client.js';
import type { LiveStatus } from '../api/event-stream.js';
import type { Session } from '../api/session.js';
import type { QueryCache } from './query-cache.js';

/** What every signed-in view needs: the API, the cache, who is signed in, and the live state. */
export interface AppServices {
  api: Api;
  cache: QueryCache;
  session: Session;
  whoami: WhoAmI | undefined;
  live: LiveStatus;
  signOut: (reason?: string) => void;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside a signed-in AppContext');
  return services;
}

import type { Logger } from '@apiary/server-kit';
import { newId } from '@apiary/server-kit';
import type { Channel } from '../db/pg-engine.js';
import type { ControllerEvent, EventBus } from './event-bus.js';

/** NOTIFY refuses payloads of 8000 bytes or more; events are far smaller. */
const MAX_PAYLOAD = 7_900;

/**
 * Connects the event bus to the other controllers through the database's channel: what is
 * published here is sent to all; what arrives from another controller is delivered here. A
 * controller hears its own messages too, and skips them by its origin id. Returns the stop.
 * `alsoHear` gets every payload first: other listeners of the channel share this session
 * (each LISTEN holds a pool connection for good).
 */
export async function relayEvents(
  bus: EventBus,
  channel: Channel,
  log: Pick<Logger, 'warn'>,
  alsoHear: (payload: string) => void = () => {},
): Promise<() => Promise<void>> {
  const origin = newId('ctl');
  const unlisten = await channel.listen((payload) => {
    alsoHear(payload);
    let message: { origin: string; event: ControllerEvent };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return;
    }
    if (message.origin !== origin && message.event) bus.deliver(message.event);
  });
  bus.relay = (event) => {
    const payload = JSON.stringify({ origin, event });
    if (payload.length > MAX_PAYLOAD) {
      log.warn({ type: event.type, bytes: payload.length }, 'event too large to relay');
      return;
    }
    channel.notify(payload).catch((error: unknown) => {
      log.warn({ type: event.type, error }, 'event relay failed');
    });
  };
  let stopped: Promise<void> | null = null;
  // Stopping twice (a shutdown path and a test's cleanup) is one stop.
  return () => {
    bus.relay = null;
    stopped ??= unlisten();
    return stopped;
  };
}

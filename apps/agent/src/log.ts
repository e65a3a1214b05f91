import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * JSON log lines. The request id travels in AsyncLocalStorage, so every line written while
 * serving a request (host commands included) carries it without threading it by hand; a saga
 * resumed later re-enters the scope with the id of the request that started it.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const scope = new AsyncLocalStorage<{ requestId: string }>();

/** Run `fn` with `requestId` attached to every log line it writes. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

export function createLogger(
  options: {
    level?: LogLevel;
    write?: (line: string) => void;
    fields?: Record<string, unknown>;
  } = {},
): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const base = options.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const requestId = currentRequestId();
    const line = {
      time: new Date().toISOString(),
      level,
      msg,
      ...(requestId ? { request_id: requestId } : {}),
      ...base,
      ...fields,
    };
    write(`${JSON.stringify(line, errorReplacer)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return createLogger({ write: () => {} });
}

function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message };
  }
  return value;
}

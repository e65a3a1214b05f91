import { Writable } from 'node:stream';
import pino from 'pino';
import pretty from 'pino-pretty';
import { z } from 'zod';
import { REDACTED, redactionPaths } from './redaction.js';
import { currentBindings } from './request-context.js';

export type Logger = pino.Logger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: LogLevel;
  /** `json` (default) for log collectors and SMF; `pretty` for a person at a terminal. */
  format?: LogFormat;
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
  /** Fields on every line (e.g. `{ service: 'agent' }`). */
  base?: Record<string, unknown>;
}

/**
 * One JSON object per line: `time`, `level` (a word, not pino's number), `msg`, the bindings of
 * the current request or operation (see request-context.ts), then the call's fields. Secret
 * fields are replaced wherever they appear (redaction.ts); errors under `error` or `err` are
 * serialized with their message and stack.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.format === 'pretty'
      ? pretty({
          sync: true,
          colorize: Boolean((options.destination as { isTTY?: boolean } | undefined)?.isTTY),
          destination: options.destination ?? process.stdout,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : (options.destination ?? process.stdout);
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => currentBindings() as Record<string, unknown>,
      redact: { paths: redactionPaths(), censor: REDACTED },
      serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
    },
    destination as pino.DestinationStream,
  );
}

/** A logger that keeps its lines in memory: tests read them (and check no secret is in them). */
export function createMemoryLogger(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(line);
      done();
    },
  });
  const log = createLogger({ level, destination: sink });
  return {
    log,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A logger that writes nothing (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The `--log-level` and `--log-format` settings both daemons take. */
export const LogLevelSetting = z.enum(['debug', 'info', 'warn', 'error']).default('info');
export const LogFormatSetting = z.enum(['json', 'pretty']).default('json');

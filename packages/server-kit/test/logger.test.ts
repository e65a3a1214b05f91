import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../src/logger.js';
import { SECRET_FIELDS } from '../src/redaction.js';
import { currentRequestId, withLogBindings } from '../src/request-context.js';

describe('createLogger', () => {
  it('writes one JSON object per line with an ISO time, a level word and msg', () => {
    const { log, records } = createMemoryLogger('info');
    log.info({ vm_id: 'vm1' }, 'created');
    log.debug('not at info');
    const [line, ...rest] = records();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ level: 'info', msg: 'created', vm_id: 'vm1' });
    expect(new Date(line?.time as string).toISOString()).toBe(line?.time);
  });

  it('adds the bindings of the current scope to every line, nested scopes included', async () => {
    const { log, records } = createMemoryLogger();
    await withLogBindings({ request_id: 'req_1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      withLogBindings({ vm_id: 'vm1', operation_id: 'op_1' }, () => log.info('step'));
      expect(currentRequestId()).toBe('req_1');
    });
    log.info('outside');
    expect(records()[0]).toMatchObject({ request_id: 'req_1', vm_id: 'vm1', operation_id: 'op_1' });
    expect(records()[1]).not.toHaveProperty('request_id');
  });

  it('never writes the value of a secret field, at the top level or nested', () => {
    const { log, lines } = createMemoryLogger();
    const secret = (f: string) => `SECRET-${f}-value`;
    for (const field of SECRET_FIELDS) {
      log.info({ [field]: secret(field) }, 'top');
      log.info({ req: { [field]: secret(field) } }, 'nested');
      log.info({ req: { headers: { [field]: secret(field) } } }, 'deep');
      log.info({ a: { b: { c: { [field]: secret(field) } } } }, 'deeper');
    }
    const text = lines.join('\n');
    expect(text).not.toContain('SECRET-');
    expect(lines.length).toBe(SECRET_FIELDS.length * 4);
  });

  it('serializes errors under `error` with message and stack', () => {
    const { log, records } = createMemoryLogger();
    log.error({ error: new Error('disk on fire') }, 'failed');
    const error = records()[0]?.error as { message: string; stack: string; type: string };
    expect(error.message).toBe('disk on fire');
    expect(error.type).toBe('Error');
    expect(error.stack).toContain('logger.test.ts');
  });
});

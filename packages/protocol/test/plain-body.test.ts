import { describe, expect, it } from 'vitest';
import { agentRoutes, controllerRoutes, isPlainHeartbeat, type RouteDef } from '../src/index.js';

/*
 * A route's `plainBody` lets the server skip its body schema: it may only ever say yes to a
 * value the schema accepts unchanged. Held here against values near the edge of the schema.
 */

const candidates: unknown[] = [
  { generation: 0 },
  { generation: 1 },
  { generation: 7 },
  { generation: Number.MAX_SAFE_INTEGER },
  { generation: Number.MAX_SAFE_INTEGER + 1 },
  { generation: -1 },
  { generation: 1.5 },
  { generation: '1' },
  { generation: null },
  { generation: Number.NaN },
  { generation: Number.POSITIVE_INFINITY },
  {},
  { generation: 1, extra: true },
  { generation: 1, inventory: null },
  { generation: 1, usage: {} },
  JSON.parse('{"generation":1,"__proto__":{"x":1}}'),
  Object.assign(Object.create({ inherited: 1 }), { generation: 1 }),
  Object.assign(Object.create(null), { generation: 1 }),
  [1],
  null,
  1,
  'generation',
];

const routesWithPlainBody = Object.entries({ ...controllerRoutes, ...agentRoutes }).filter(
  ([, route]) => (route as RouteDef).plainBody,
) as Array<[string, RouteDef & { plainBody: (v: unknown) => boolean }]>;

describe('plainBody', () => {
  it('the heartbeat has one', () => {
    expect(routesWithPlainBody.map(([name]) => name)).toContain('heartbeat');
  });

  for (const [name, route] of routesWithPlainBody) {
    it(`${name}: says yes only to bodies its schema accepts unchanged`, () => {
      const schema = route.body as Exclude<RouteDef['body'], 'stream' | undefined>;
      for (const value of candidates) {
        if (!route.plainBody(value)) continue;
        const parsed = schema.safeParse(value);
        expect(parsed.success, JSON.stringify(value)).toBe(true);
        expect(parsed.data).toEqual(value);
      }
    });
  }

  it('recognises the common heartbeat and nothing with more in it', () => {
    expect(isPlainHeartbeat({ generation: 0 })).toBe(true);
    expect(isPlainHeartbeat(JSON.parse('{"generation":42}'))).toBe(true);
    expect(isPlainHeartbeat({ generation: 1, inventory: null })).toBe(false);
    expect(isPlainHeartbeat({ generation: 1, usage: {} })).toBe(false);
    expect(isPlainHeartbeat(JSON.parse('{"generation":1,"__proto__":{}}'))).toBe(false);
    expect(isPlainHeartbeat({ generation: -1 })).toBe(false);
    expect(isPlainHeartbeat({ generation: 2 ** 53 })).toBe(false);
  });
});

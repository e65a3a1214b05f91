import type { Env } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { renderEnv, renderEnvs } from '../src/commands/render-env.js';
import { NO_HOST_NAMES } from '../src/lib/host-names.js';
import { fakeEnv } from './fake-resources.js';

const now = Date.now();
const env = (state: Env['state']): Env =>
  fakeEnv({
    state,
    expires_at: new Date(now + 4 * 3600_000).toISOString(),
    updated_at: '2026-06-01T11:30:00.000Z',
  });

describe('envs show', () => {
  it('shows when a deleted environment was deleted, not an expiry to come', () => {
    const text = renderEnv(env('deleted'), NO_HOST_NAMES);
    expect(text).toMatch(/deleted\s+2026-06-01T11:30:00.000Z \(\d/);
    expect(text).not.toMatch(/expires/);
    expect(renderEnvs([env('deleted')])).toMatch(/│ deleted\s+│ 0\s+│ deleted\s+│/);
  });

  it('shows the expiry of a live environment', () => {
    expect(renderEnv(env('active'), NO_HOST_NAMES)).toMatch(/expires\s+\S+ \(in \d+h/);
  });
});

import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { orNearName, UnknownNameError, unknownNameMessage } from '../src/lib/near-name.js';

describe('unknown names', () => {
  it('says what is missing, the near name, and where the real ones are', () => {
    expect(unknownNameMessage('image', 'alpine-clud', ['alpine-cloud', 'debian-12'])).toBe(
      'no image alpine-clud; did you mean alpine-cloud? `apiary images list` shows them; `apiary images import FILE` adds one',
    );
    expect(unknownNameMessage('environment', 'zzz', ['human'])).toBe(
      'no environment zzz; `apiary envs list` shows them',
    );
  });

  it('turns only a 404 into the suggestion', async () => {
    const known = async () => ['human'];
    const missing = orNearName('environment', 'humn', known, async () => {
      throw new ApiError('not_found', 'environment humn not found');
    });
    await expect(missing).rejects.toThrow(UnknownNameError);
    await expect(missing).rejects.toThrow('did you mean human?');
    const refused = orNearName('environment', 'humn', known, async () => {
      throw new ApiError('forbidden', 'no');
    });
    await expect(refused).rejects.toThrow(ApiError);
  });
});

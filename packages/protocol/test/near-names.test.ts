import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearNames } from '../src/domain/near-names.js';

describe('near names', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('alpine-clud', 'alpine-cloud')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the nearest known names, nearest first, ignoring case', () => {
    const known = ['alpine-cloud', 'alpine-3.20', 'debian-12', 'Alpine-Clouds'];
    expect(nearNames('alpine-clud', known)).toEqual(['alpine-cloud', 'Alpine-Clouds']);
    expect(didYouMean('alpine-clud', ['alpine-cloud', 'debian-12'])).toBe(
      'did you mean alpine-cloud?',
    );
    expect(didYouMean('web-3', ['web-1', 'web-2'])).toBe('did you mean web-1 or web-2?');
  });

  it('suggests nothing for a different name or an exact one', () => {
    expect(nearNames('ubuntu', ['alpine-cloud', 'debian-12'])).toEqual([]);
    expect(nearNames('db', ['ui'])).toEqual([]);
    expect(didYouMean('web', ['web'])).toBeNull();
  });
});

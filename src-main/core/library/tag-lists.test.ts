import { describe, expect, it } from 'vitest';
import { normaliseTagValues, splitTagList } from './tag-lists.ts';

describe('tag lists', () => {
  it('split on ";", " / ", ", ", "|" and NUL, but not inside names like Pop/Rock or R&B', () => {
    expect(splitTagList('Electronic;R&B')).toEqual(['Electronic', 'R&B']);
    expect(splitTagList('Rock / Pop')).toEqual(['Rock', 'Pop']);
    expect(splitTagList('Jazz, Blues')).toEqual(['Jazz', 'Blues']);
    expect(splitTagList(`Folk${String.fromCharCode(0)}Country`)).toEqual(['Folk', 'Country']);
    expect(splitTagList('Pop/Rock')).toEqual(['Pop/Rock']);
    expect(splitTagList('AC/DC')).toEqual(['AC/DC']);
    expect(splitTagList(' ; ;Ambient ; ')).toEqual(['Ambient']);
  });

  it('normalise: NFC, first spelling wins, case-insensitive duplicates dropped, ID3 references stripped', () => {
    expect(normaliseTagValues(['Rock;rock', 'ROCK / Jazz', null, undefined, '(17)Metal'])).toEqual(['Rock', 'Jazz', 'Metal']);
    expect(normaliseTagValues(['Cafe\u0301'])).toEqual(['Café']);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../context.ts';
import { rankingOption, topicSelectionOption, topicsOption } from './recommend.ts';

describe('recommend options', () => {
  it('--topics takes ids or weighted ids; weights only where asked for', () => {
    expect(topicSelectionOption({ topics: '1,4' }, true)).toEqual({ topics: [1, 4] });
    expect(topicSelectionOption({ topics: '1:2, 4:1' }, true)).toEqual({ topics: [1, 4], weights: [2, 1] });
    expect(topicSelectionOption({ topics: '3:0.5,5' }, true)).toEqual({ topics: [3, 5], weights: [0.5, 1] });
    expect(topicSelectionOption({ topics: '2,2' }, true)).toEqual({ topics: [2] });
    expect(topicSelectionOption({}, false)).toEqual({ topics: [] });
    for (const bad of ['1:0', '1:x', '0', '1:2,1:3', '1:101', ',', '65'])
      expect(() => topicSelectionOption({ topics: bad }, true), bad).toThrow(UsageError);
    expect(() => topicSelectionOption({}, true)).toThrow(/--topics is required/);
    // feedback and the like take plain ids
    expect(topicsOption({ topics: '1,4' }, true)).toEqual([1, 4]);
    expect(() => topicsOption({ topics: '1:2' }, true)).toThrow(/topic ids like 1,4/);
  });

  it('--ranking is blend (default) or nearest', () => {
    expect(rankingOption({})).toBe('blend');
    expect(rankingOption({ ranking: 'nearest' })).toBe('nearest');
    expect(() => rankingOption({ ranking: 'far' })).toThrow(/blend or nearest/);
  });
});

// (*.dom.test.ts: type-checked with the renderer's DOM types, tsconfig.web.json.)
// The topic toggles' queue fills answer in any order; only the latest request may fill the queue
// (quick clicks: a weight change's fill answering after the next toggle's put its queue back).
import { describe, expect, it } from 'vitest';
import { PlayerState } from '../../src-renderer/src/lib/player.svelte.ts';
import { RecommendState } from '../../src-renderer/src/lib/recommend.svelte.ts';
import { fakeApi, row } from './fake-api.ts';

describe('RecommendState fills', () => {
  it('applies only the latest request when an earlier one answers last', async () => {
    const answers: { topics: number[]; resolve: (v: unknown) => void }[] = [];
    const api = fakeApi(
      (method, request) =>
        new Promise((resolve) => {
          expect(method).toBe('queue.fromTopics');
          answers.push({ topics: request.topics as number[], resolve });
        }),
    );
    const player = new PlayerState(api);
    const rec = new RecommendState(api, player);
    const first = rec.toggleTopic(1, true);
    const second = rec.toggleTopic(1, false).then(() => rec.toggleTopic(2, true));
    await Promise.resolve();
    expect(answers.map((a) => a.topics)).toEqual([[1], [2]]);
    const answer = (i: number, ids: number[]) =>
      answers[i]!.resolve({ ok: true, value: { tracks: ids.map((id) => ({ ...row(id), why: { topic: null }, distance: 0 })) } });
    answer(1, [20, 21]); // the latest (topic 2) first
    await second;
    answer(0, [10, 11]); // then the stale one (topic 1)
    await first;
    expect(rec.source).toBe('Topics 2');
    expect(player.queue.map((t) => t.id)).toEqual([20, 21]);
  });
});

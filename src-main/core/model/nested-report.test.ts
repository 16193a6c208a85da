import { describe, expect, it } from 'vitest';
import { formatCurveMarkdown, learningCurveSvg, stat, type CurvePoint } from './nested-report.ts';

const point = (songs: number, u: number, s: number, d: number): CurvePoint => ({
  requested: songs,
  trainSongs: [songs],
  userToSongP10: stat([u]),
  singleTopicP10: stat([s]),
  learnedDP10: stat([d]),
});

describe('learning curve report', () => {
  const points = [point(100, 0.7, 0.34, 0.24), point(200, 0.72, 0.37, 0.26)];

  it('stat gives the mean and the sample sd', () => {
    expect(stat([1, 2, 3])).toEqual({ mean: 2, std: 1 });
    expect(stat([0.5])).toEqual({ mean: 0.5, std: 0 });
  });

  it('draws one line per measure through its points, with chance lines, as a standalone SVG', () => {
    const svg = learningCurveSvg(points, { userToSong: 0.5, singleTopic: 0.14, songToSong: 0.15 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) =>
      m[1]!.split(' ').map((p) => p.split(',').map(Number)),
    );
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l).toHaveLength(2);
      expect(l[1]![0]).toBeGreaterThan(l[0]![0]!); // more songs further right
      expect(l[1]![1]).toBeLessThan(l[0]![1]!); // a higher score is drawn higher
    }
    // User → song (0.7) above single-topic (0.34) above nothing: y grows downwards.
    expect(lines[0]![0]![1]).toBeLessThan(lines[1]![0]![1]!);
    expect((svg.match(/stroke-dasharray/g) ?? []).length).toBe(4);
    expect(svg).toContain('song → song P@10 (D)');
  });

  it('prints the points as a table', () => {
    const md = formatCurveMarkdown(points, 1);
    expect(md).toContain('| 100 | 70.0 ± 0.0 | 34.0 ± 0.0 | 24.0 ± 0.0 |');
    expect(md).toContain('| 200 | 72.0 ± 0.0 | 37.0 ± 0.0 | 26.0 ± 0.0 |');
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeTag, normalizeTags, splitTagList, STOP_TAGS, tagsFromJamendo } from './normalize.ts';

describe('normalizeTag', () => {
  it('folds case, punctuation and separators into one tag', () => {
    for (const raw of ['Hip-Hop', 'hip hop', 'hiphop', 'HIP_HOP', ' Hip.Hop ', 'hip–hop']) {
      expect(normalizeTag(raw), raw).toBe('hiphop');
    }
    expect(normalizeTag('Easy Listening')).toBe('easylistening');
    expect(normalizeTag('New Age')).toBe('newage');
    expect(normalizeTag("Children's")).toBe('childrens');
  });

  it('merges the spellings of R&B, rock and roll and drum and bass', () => {
    for (const raw of ['R&B', 'r and b', 'rnb', 'RnB', "R'n'B", 'R & B', 'Rhythm & Blues', 'rhythm and blues']) {
      expect(normalizeTag(raw), raw).toBe('rnb');
    }
    for (const raw of ["Rock'n'Roll", 'rock & roll', 'Rock and Roll', 'rock n roll']) {
      expect(normalizeTag(raw), raw).toBe('rocknroll');
    }
    for (const raw of ['Drum & Bass', "drum'n'bass", 'DnB', 'drum and bass']) {
      expect(normalizeTag(raw), raw).toBe('drumnbass');
    }
  });

  it('keeps AllMusic slash genres as one tag', () => {
    expect(normalizeTag('Pop/Rock')).toBe('poprock');
    expect(normalizeTag('Comedy/Spoken')).toBe('comedyspoken');
    expect(normalizeTag('Stage & Screen')).toBe('stageandscreen');
  });

  it('strips diacritics and keeps non-Latin letters', () => {
    expect(normalizeTag('Música Popular Brasileña')).toBe('musicapopularbrasilena');
    expect(normalizeTag('Électro')).toBe('electro');
    expect(normalizeTag('ロック')).toBe('ロック');
  });

  it('drops stop-listed, empty and numeric tags', () => {
    for (const raw of ['', '   ', '---', 'Music', 'Other', 'misc', 'Miscellaneous', 'Unknown', 'Various', 'Various Artists', 'Favorites', 'N/A', '(17)', '1999', '2024', 'x']) {
      expect(normalizeTag(raw), raw).toBeNull();
    }
    expect(STOP_TAGS.has('music')).toBe(true);
  });

  it('maps 20th-century decades to the short form and keeps others', () => {
    expect(normalizeTag('1990s')).toBe('90s');
    expect(normalizeTag("80's")).toBe('80s');
    expect(normalizeTag('2000s')).toBe('2000s');
  });

  it('drops over-long strings', () => {
    expect(normalizeTag('a'.repeat(41))).toBeNull();
    expect(normalizeTag('a'.repeat(40))).toBe('a'.repeat(40));
  });
});

describe('tag lists', () => {
  it('splits on ; , | and NUL but not on /', () => {
    expect(splitTagList('Pop/Rock; R&B,Jazz|Blues\u0000Soul')).toEqual(['Pop/Rock', 'R&B', 'Jazz', 'Blues', 'Soul']);
    expect(splitTagList(' ;; ')).toEqual([]);
  });

  it('normalizes and de-duplicates, keeping first-seen order', () => {
    expect(normalizeTags(['Hip Hop', 'Jazz', 'hip-hop', 'Music', 'JAZZ', 'R&B'])).toEqual(['hiphop', 'jazz', 'rnb']);
  });
});

describe('tagsFromJamendo', () => {
  it('strips category prefixes and keeps the category', () => {
    expect(tagsFromJamendo('genre---rock,instrument---guitar,mood/theme---happy')).toEqual([
      { tag: 'rock', category: 'genre' },
      { tag: 'guitar', category: 'instrument' },
      { tag: 'happy', category: 'mood/theme' },
    ]);
  });

  it('handles unprefixed, stop-listed and duplicate entries', () => {
    expect(tagsFromJamendo('genre---hip-hop,hiphop,genre---other,,genre---90s')).toEqual([
      { tag: 'hiphop', category: 'genre' },
      { tag: '90s', category: 'genre' },
    ]);
    expect(tagsFromJamendo('')).toEqual([]);
  });
});

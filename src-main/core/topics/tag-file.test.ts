import { describe, expect, it } from 'vitest';
import { parseDelimited, parseTagFile, splitTagCell, tagDocuments, TagFileError } from './tag-file.ts';

describe('parseDelimited', () => {
  it('reads RFC 4180 quoting and reports the line each row starts on', () => {
    const rows = parseDelimited('a,b\r\n"x, ""y""","multi\nline"\n\nlast,row', ',', true);
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', 'multi\nline'] },
      { line: 5, fields: ['last', 'row'] },
    ]);
  });

  it('does not unquote TSV', () => {
    expect(parseDelimited('a\t"b"\n', '\t', false)).toEqual([{ line: 1, fields: ['a', '"b"'] }]);
  });
});

describe('parseTagFile', () => {
  it('detects CSV keyed by path with a list cell', () => {
    const f = parseTagFile('Path,Tags\nmusic/a.mp3,"Hip-Hop; Jazz Rap"\nmusic/b.mp3,\n');
    expect(f).toMatchObject({ format: 'csv', keyedBy: 'path', tagColumns: ['Tags'] });
    expect(f.rows).toEqual([
      { line: 2, path: 'music/a.mp3', rawTags: ['Hip-Hop', 'Jazz Rap'] },
      { line: 3, path: 'music/b.mp3', rawTags: [] },
    ]);
  });

  it('reads a Last.fm-style export (artist, title, tag, count) keyed by artist + title', () => {
    const f = parseTagFile(
      'artist_name,track_name,tag,count\nAurora Tide,Glass Harbor,synthwave,100\nAurora Tide,Glass Harbor,80s,42\n',
    );
    expect(f.keyedBy).toBe('artist+title');
    expect(f.rows.map((r) => [r.artist, r.title, r.rawTags])).toEqual([
      ['Aurora Tide', 'Glass Harbor', ['synthwave']],
      ['Aurora Tide', 'Glass Harbor', ['80s']],
    ]);
  });

  it('reads TSV with several tag columns, and semicolon-separated files', () => {
    const tsv = parseTagFile('Artist\tTitle\tGenre\tMood\nA\tB\tRock, Pop\tHappy\n');
    expect(tsv).toMatchObject({ format: 'tsv', keyedBy: 'artist+title', tagColumns: ['Genre', 'Mood'] });
    expect(tsv.rows[0]?.rawTags).toEqual(['Rock', 'Pop', 'Happy']);
    const ssv = parseTagFile('path;genre\n/x.flac;Folk\n');
    expect(ssv).toMatchObject({ format: 'ssv', keyedBy: 'path' });
    expect(ssv.rows[0]).toMatchObject({ path: '/x.flac', rawTags: ['Folk'] });
  });

  it('reads the MTG-Jamendo format, including one tag per extra column', () => {
    const f = parseTagFile(
      'track_id\tartist_id\talbum_id\tduration\ttags\n' +
        'track_1\tartist_1\talbum_1\t124.6\tgenre---rock,mood/theme---happy\n' +
        'track_2\tartist_1\talbum_1\t99.0\tgenre---jazz\tinstrument---piano\n',
    );
    expect(f.keyedBy).toBe('id');
    expect(f.rows.map((r) => r.rawTags)).toEqual([
      ['rock', 'happy'],
      ['jazz', 'piano'],
    ]);
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(parseTagFile('\uFEFFtags,path\nrock,a.mp3\n')).toMatchObject({ keyedBy: 'path', tagColumns: ['tags'] });
  });

  it('refuses a file without a tag column, and an empty file', () => {
    expect(() => parseTagFile('path,rating\na.mp3,5\n')).toThrow(TagFileError);
    expect(() => parseTagFile('')).toThrow(TagFileError);
  });
});

describe('splitTagCell', () => {
  it('splits lists and strips Jamendo categories but keeps slash genres whole', () => {
    expect(splitTagCell('Pop/Rock; R&B | genre---trip hop, ')).toEqual(['Pop/Rock', 'R&B', 'trip hop']);
  });
});

describe('tagDocuments', () => {
  it('groups rows of one song, normalises and de-duplicates, and keeps unkeyed rows apart', () => {
    const keyed = tagDocuments(parseTagFile('artist,title,tag\nA,Song,Hip-Hop\na,SONG ,hip hop\na,song,Jazz\nB,Other,misc\n'));
    expect(keyed.docs).toEqual([['hiphop', 'jazz'], []]);
    expect(keyed.keys).toHaveLength(2);
    const unkeyed = tagDocuments(parseTagFile('tags\nrock\nrock\n'));
    expect(unkeyed.docs).toEqual([['rock'], ['rock']]);
  });
});

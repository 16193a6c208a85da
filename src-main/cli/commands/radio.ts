import { findPlaylist } from '../../core/recommend/playlists.ts';
import { radio, type RadioSeed } from '../../core/recommend/radio.ts';
import { resolveTrack } from '../../core/topics/library-tags.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../context.ts';
import { intOption } from './model.ts';
import {
  openIndex,
  printTracks,
  QUEUE_OPTION_SPECS,
  QUEUE_USAGE,
  queueRules,
  recommendOrUsage,
  topicSelectionOption,
} from './recommend.ts';

export const radioCommand: Command = {
  name: 'radio',
  summary:
    "a radio's next songs from tracks, a topic selection, an artist, an album or a playlist: nothing started in the session again, dislikes left out, artists spaced; the session's early skips push neighbours down and completions pull them up",
  usage: `cadenza radio (PATH_OR_ID... | --topics 1,4 | --artist NAME | --album NAME | --playlist NAME) [--session-minutes 240] ${QUEUE_USAGE} [--explain] [--data-dir D] [--json]`,
  options: {
    ...QUEUE_OPTION_SPECS,
    topics: { type: 'string' },
    artist: { type: 'string' },
    album: { type: 'string' },
    playlist: { type: 'string' },
    'session-minutes': { type: 'string' },
  },
  run(ctx, args, options) {
    const kinds = [args.length > 0, ...(['topics', 'artist', 'album', 'playlist'] as const).map((k) => options[k] !== undefined)];
    if (kinds.filter(Boolean).length !== 1)
      throw new UsageError(`give one seed: tracks, --topics, --artist, --album or --playlist\nusage: ${this.usage}`);
    const rules = queueRules(options);
    const minutes = intOption(options, 'session-minutes', 0, 100_000) ?? 240;
    const db = ctx.openDb();
    try {
      let seed: RadioSeed;
      if (args.length > 0)
        seed = {
          trackIds: args.map((ref) => {
            const id = resolveTrack(db, ref);
            if (id === null) throw new UsageError(`no such track in the library: ${ref} (give a track id or the file's path)`);
            return id;
          }),
        };
      else if (options.topics !== undefined) seed = topicSelectionOption(options, true);
      else if (options.artist !== undefined) seed = { artist: String(options.artist) };
      else if (options.album !== undefined) seed = { album: String(options.album) };
      else {
        const playlist = findPlaylist(db, String(options.playlist));
        if (!playlist) throw new UsageError(`no playlist named ${String(options.playlist)}`);
        seed = { playlistId: playlist.id };
      }
      const index = openIndex(ctx, db);
      const tracks = recommendOrUsage(() => radio(db, index, seed, { ...rules, sessionSince: Date.now() - minutes * 60_000 }));
      printTracks(ctx, tracks, options.explain === true);
      return 0;
    } finally {
      db.close();
    }
  },
};

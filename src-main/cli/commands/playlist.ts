import fs from 'node:fs';
import path from 'node:path';
import { toM3u8 } from '../../core/app/m3u.ts';
import { deletePlaylist, getPlaylist, listPlaylists, savePlaylist } from '../../core/recommend/playlists.ts';
import { moreLikeThis, topicQueue } from '../../core/recommend/recommender.ts';
import { orderTracks } from '../../core/recommend/smooth-order.ts';
import { resolveTrack } from '../../core/topics/library-tags.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';
import { openIndex, QUEUE_OPTION_SPECS, QUEUE_USAGE, queueRules, recommendOrUsage, topicSelectionOption } from './recommend.ts';

export const playlistCommand: Command = {
  name: 'playlist',
  summary: 'saved playlists: save a queue (or tracks) under a name, list, show, order smoothly, export as M3U8, delete',
  usage: [
    `cadenza playlist save NAME --from-queue (--topics 1,4 | --like PATH_OR_ID,...) ${QUEUE_USAGE}`,
    '       cadenza playlist save NAME PATH_OR_ID...',
    '       cadenza playlist order NAME [--first PATH_OR_ID]   (smooth order: consecutive songs close, the first kept)',
    '       cadenza playlist list | show NAME | delete NAME | export NAME --m3u8 FILE   [--data-dir D] [--json]',
  ].join('\n'),
  options: {
    'from-queue': { type: 'boolean', default: false },
    topics: { type: 'string' },
    like: { type: 'string' },
    m3u8: { type: 'string' },
    first: { type: 'string' },
    ...QUEUE_OPTION_SPECS,
  },
  run(ctx, args, options) {
    const [action = 'list', name, ...refs] = args;
    const db = ctx.openDb();
    try {
      if (action === 'list' && name === undefined) {
        const lists = listPlaylists(db);
        if (ctx.json) printJson(ctx, { playlists: lists });
        else if (lists.length === 0) ctx.stdout('No playlists yet: `cadenza playlist save NAME --from-queue --topics 1`.');
        else for (const l of lists) ctx.stdout(`${l.name}  (${l.tracks} tracks)`);
        return 0;
      }
      if (name === undefined) throw new UsageError(`usage: ${this.usage}`);
      if (action === 'save') {
        let ids: number[];
        if (options['from-queue'] === true) {
          if (refs.length > 0) throw new UsageError('give either --from-queue or tracks, not both');
          const rules = queueRules(options);
          const index = openIndex(ctx, db);
          if (options.like !== undefined) {
            const seeds = String(options.like)
              .split(',')
              .map((ref) => resolveTrack(db, ref.trim()) ?? fail(`no such track in the library: ${ref}`));
            ids = recommendOrUsage(() => moreLikeThis(db, index, seeds, rules)).map((t) => t.id);
          } else {
            const { topics, weights } = topicSelectionOption(options, true);
            ids = recommendOrUsage(() => topicQueue(db, index, topics, { ...rules, ...(weights ? { weights } : {}) })).map(
              (t) => t.id,
            );
          }
        } else {
          if (refs.length === 0) throw new UsageError(`usage: ${this.usage}`);
          ids = refs.map((ref) => resolveTrack(db, ref) ?? fail(`no such track in the library: ${ref}`));
        }
        const saved = savePlaylist(db, name, ids);
        if (ctx.json) printJson(ctx, saved);
        else ctx.stdout(`Saved playlist "${saved.name}" with ${saved.tracks.length} track(s).`);
        return 0;
      }
      if (refs.length > 0) throw new UsageError(`usage: ${this.usage}`);
      if (action === 'order') {
        const playlist = getPlaylist(db, name);
        if (!playlist) throw new UsageError(`no playlist named ${name}`);
        if (playlist.tracks.length === 0) throw new UsageError(`playlist ${playlist.name} is empty`);
        const first =
          options.first === undefined
            ? undefined
            : (resolveTrack(db, String(options.first)) ?? fail(`no such track in the library: ${String(options.first)}`));
        const index = openIndex(ctx, db);
        const result = recommendOrUsage(() =>
          orderTracks(
            index,
            playlist.tracks.map((t) => t.id),
            first,
          ),
        );
        const saved = savePlaylist(db, playlist.name, result.trackIds);
        if (ctx.json) printJson(ctx, { ...result, playlist: saved });
        else {
          const change =
            result.before > 0 ? ` (${Math.round((100 * (result.before - result.after)) / result.before)} % shorter)` : '';
          ctx.stdout(
            `Reordered "${saved.name}": walk length D ${result.before.toFixed(3)} → ${result.after.toFixed(3)}${change}.`,
          );
          if (result.unplaced.length > 0) ctx.stdout(`${result.unplaced.length} track(s) without an embedding kept at the end.`);
        }
        return 0;
      }
      if (action === 'delete') {
        if (!deletePlaylist(db, name)) throw new UsageError(`no playlist named ${name}`);
        if (ctx.json) printJson(ctx, { deleted: name });
        else ctx.stdout(`Deleted playlist "${name}".`);
        return 0;
      }
      const playlist = getPlaylist(db, name);
      if ((action === 'show' || action === 'export') && !playlist) throw new UsageError(`no playlist named ${name}`);
      if (action === 'show' && playlist) {
        if (ctx.json) printJson(ctx, playlist);
        else
          playlist.tracks.forEach((t, i) =>
            ctx.stdout(`${String(i + 1).padStart(3)}. ${[t.artist, t.title].filter(Boolean).join(' – ') || t.path}  [${t.id}]`),
          );
        return 0;
      }
      if (action === 'export' && playlist) {
        if (typeof options.m3u8 !== 'string' || options.m3u8 === '') throw new UsageError('export needs --m3u8 FILE');
        const file = path.resolve(options.m3u8);
        fs.writeFileSync(file, toM3u8(playlist.tracks), 'utf8');
        if (ctx.json) printJson(ctx, { file, tracks: playlist.tracks.length });
        else ctx.stdout(`Wrote ${playlist.tracks.length} track(s) to ${file}.`);
        return 0;
      }
      throw new UsageError(`usage: ${this.usage}`);
    } finally {
      db.close();
    }
  },
};

function fail(message: string): never {
  throw new UsageError(message);
}

// The thumbnail worker's messages and what the host needs of it, without the image decoders (the host
// imports this; only the worker loads cover-thumbnail.ts and its decoders).

/** The longest side of a thumbnail, in pixels (the album grid's 140-px cards at 2× and some). */
export const THUMB_SIZE = 320;

/** Why no thumbnail was made: the picture is small already, of a type not decoded here, or unreadable. */
export type ThumbnailOutcome =
  | { kind: 'thumbnail'; bytes: Uint8Array; width: number; height: number }
  | { kind: 'small' }
  | { kind: 'unsupported' }
  | { kind: 'unreadable'; reason: string };

/** Host → thumbnail worker: make one thumbnail (the bytes are transferred). */
export type ThumbnailRequest =
  { type: 'thumbnail'; id: number; bytes: Uint8Array; mime: string; size: number } | { type: 'close' };

/** Thumbnail worker → host: the outcome, or the error that stopped it (as a value). */
export type ThumbnailReply =
  { type: 'done'; id: number; outcome: ThumbnailOutcome } | { type: 'failed'; id: number; error: string };

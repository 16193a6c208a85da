import { parentPort } from 'node:worker_threads';
import { makeThumbnail } from './cover-thumbnail.ts';
import type { ThumbnailReply, ThumbnailRequest } from './thumbnail-messages.ts';

// Cover thumbnails off the host's main thread: decoding a large JPEG in JS takes a few hundred ms.
const port = parentPort;
if (!port) throw new Error('thumbnail.worker must run as a worker thread');

port.on('message', (request: ThumbnailRequest) => {
  if (request.type === 'close') return void port.close();
  let reply: ThumbnailReply;
  try {
    const outcome = makeThumbnail(request.bytes, request.mime, request.size);
    reply = { type: 'answer', id: request.id, value: outcome };
    port.postMessage(reply, outcome.kind === 'thumbnail' ? [outcome.bytes.buffer as ArrayBuffer] : []);
  } catch (error) {
    reply = { type: 'failed', id: request.id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});

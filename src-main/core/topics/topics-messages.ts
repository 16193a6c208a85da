import type { Progress } from '../../api/types.ts';
import type { LibraryFitResult, TopicFitOptions } from './library-topics.ts';

/** Messages between a topic-fit job and its worker: tagged unions; errors travel as values. */
export type TopicsRequest = { type: 'cancel' };

export type TopicsReply =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: LibraryFitResult }
  | { type: 'cancelled' }
  | { type: 'error'; error: string };

export interface TopicsWorkerData {
  dataDir: string;
  options: Omit<TopicFitOptions, 'signal' | 'onProgress'>;
}

/** Tag topics (LDA over song tags): pure core, no I/O. See docs/topics.md. */
export { createRng } from './rng.ts';
export type { Rng } from './rng.ts';
export { normalizeTag, normalizeTags, splitTagList, tagsFromJamendo, STOP_TAGS, TAG_ALIASES, MIN_TAG_LENGTH, MAX_TAG_LENGTH } from './normalize.ts';
export type { CategorizedTag } from './normalize.ts';
export { buildVocabulary, encodeDoc } from './vocabulary.ts';
export type { Vocabulary, VocabularyOptions } from './vocabulary.ts';
export {
  fitLda,
  fitLdaAsync,
  inferTopics,
  topicSet,
  docTheta,
  topTagIds,
  topTags,
  labelTags,
  labelTopic,
  labelTopics,
  topicModelFingerprint,
  lgamma,
  LDA_DEFAULTS,
  TOPIC_SET_THRESHOLD,
} from './lda.ts';
export type { LdaModel, LdaOptions, InferOptions, TopicTag, LabelOptions } from './lda.ts';
export { npmiCoherence, umassCoherence, randomTopicsBaseline, mean } from './coherence.ts';
export type { RandomTopicsOptions } from './coherence.ts';
export { hungarian } from './hungarian.ts';
export { parseTagFile, parseDelimited, splitTagCell, tagDocuments, rowKey, songKey, TagFileError } from './tag-file.ts';
export type { TagFile, TagFileRow, TagFileFormat } from './tag-file.ts';
// The library-facing modules (library-tags.ts, library-topics.ts) use the database and are imported directly.

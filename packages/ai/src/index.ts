// Models and retrieval shared by the API and the worker. See docs/ai.md.
export { cosine, hashEmbedding } from "./embedding/hash-embedding";
export { type ChunkOptions, chunkText, type TextChunk } from "./ingest/chunk-text";
export {
  documentType,
  EXTRACTABLE_CONTENT_TYPES,
  type ExtractableContentType,
  ExtractError,
  type ExtractedText,
  type ExtractInput,
  extractText,
} from "./ingest/extract-text";
export { type IndexTextInput, indexSourceText } from "./ingest/index-text";
export { isPublicAddress } from "./ingest/ip-ranges";
export { type PreparedDocument, prepareDocument } from "./ingest/prepare-document";
export {
  type ResolvedAddress,
  SafeFetchError,
  type SafeFetchFailure,
  type SafeFetchOptions,
  type SafeFetchResult,
  safeFetch,
} from "./ingest/safe-fetch";
export { buildPrompt, type PromptInput } from "./prompt/build-prompt";
export { type CitableChunk, type Citation, citationsFrom } from "./prompt/citations";
export {
  type CueStripper,
  type CueStripResult,
  createCueStripper,
  MODEL_CUES,
  type ModelCue,
  stripCues,
} from "./prompt/cues";
export { createProvider } from "./provider/create-provider";
export { isProviderError, ProviderError, type ProviderErrorKind } from "./provider/errors";
export { createOfflineProvider } from "./provider/offline";
export { createOpenAIProvider, type ProviderOptions } from "./provider/openai";
export {
  checkProviderTarget,
  type ProviderNetworkPolicy,
  privateHostEntrySchema,
  privateTargetAllowed,
} from "./provider/provider-target";
export {
  type ChatContext,
  type ChatMessage,
  type ChatStreamEvent,
  type ContextChunk,
  EMBEDDING_DIMENSIONS,
  type FinishReason,
  type Provider,
  type ProviderSettings,
  providerSettingsSchema,
  type SpeechOptions,
  type StreamChatOptions,
  type TranscriptionOptions,
  type Usage,
} from "./provider/types";
export { type ChunkRow, chunkRow } from "./retrieval/chunk-row";
export { replaceSourceChunks, type StoreChunksInput } from "./retrieval/chunks";
export { RRF_K, reciprocalRankFusion } from "./retrieval/fusion";
export {
  EF_SEARCH,
  type HybridSearchInput,
  hybridSearch,
  hybridSearchSettings,
  hybridSearchStatement,
  type SearchHit,
  type SearchScope,
  textSearch,
  vectorSearch,
} from "./retrieval/hybrid-search";
export { countTokens } from "./tokens";
export {
  EspeakMissingError,
  espeakAvailable,
  espeakVoiceFor,
  type SpeakOptions,
  type SpokenAudio,
  speakWithEspeak,
} from "./voice/espeak";
export { createSentenceStream, type SentenceStream } from "./voice/sentence-stream";
export { speakableText } from "./voice/speakable";
export { type Speak, type SpeakerOptions, voiceSpeaker } from "./voice/speaker";

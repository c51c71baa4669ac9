export { QueryEngine } from './QueryEngine';
export type { EngineSettings, EngineStream, Range } from './QueryEngine';
export { hourPrefix } from './ObjectListing';
export { ndjsonLines } from './ndjsonLines';
export { defaultEngineSettings, engineSettingsOf } from './engineSettings';
export { InProcessSummarisers, SummaryWorkerPool } from './ObjectSummarisers';
export type { ObjectSummarisers } from './ObjectSummarisers';

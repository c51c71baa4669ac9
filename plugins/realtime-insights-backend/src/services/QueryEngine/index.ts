export { QueryEngine, bufferIntervalMsOf } from './QueryEngine';
export type { EngineSettings, EngineStream, Range } from './QueryEngine';
export { hourPrefix } from './ObjectListing';
export { ndjsonLines } from './ndjsonLines';
export { defaultEngineSettings, engineSettingsOf } from './engineSettings';
export { InProcessSummarisers } from './ObjectSummarisers';
export type { ObjectSummarisers, SummarisedObject } from './ObjectSummarisers';

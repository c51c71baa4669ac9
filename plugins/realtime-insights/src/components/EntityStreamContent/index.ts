export { EntityStreamContent } from './EntityStreamContent';
export {
  STREAM_REF_ANNOTATION,
  isRealtimeInsightsAvailable,
  streamOfEntity,
} from './streamOfEntity';

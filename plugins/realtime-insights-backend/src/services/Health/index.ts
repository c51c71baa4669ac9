export { HealthService } from './HealthService';
export type { HealthServiceOptions } from './HealthService';
export {
  ERROR_OUTPUT_TYPES,
  FirehoseErrorReader,
  errorPrefixOf,
} from './FirehoseErrorReader';
export type { ErrorReport } from './FirehoseErrorReader';

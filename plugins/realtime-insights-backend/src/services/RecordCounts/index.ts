export { RecordCountService } from './RecordCountService';
export type { RecordCountServiceOptions } from './RecordCountService';

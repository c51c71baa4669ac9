export { RecordCountChart } from './RecordCountChart';

export {
  ChartSkeleton,
  RegisterStreamEmptyState,
  StreamNotFound,
  isNotFound,
} from './StreamStates';

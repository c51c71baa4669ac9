import { useApi } from '@backstage/frontend-plugin-api';
import { StreamSummary } from '@internal/plugin-realtime-insights-common';
import useAsync from 'react-use/esm/useAsync';
import { realtimeInsightsApiRef } from '../api';

export type StreamSummaryState = {
  loading: boolean;
  error?: Error;
  /** Undefined when loaded but not listed: missing, or not readable. */
  summary?: StreamSummary;
};

/**
 * A stream's title, measures and dimensions. The backend lists only the
 * streams the user may read, so "not listed" also means "no access".
 */
export function useStreamSummary(stream: string): StreamSummaryState {
  const api = useApi(realtimeInsightsApiRef);
  const { loading, error, value } = useAsync(() => api.listStreams(), [api]);
  return {
    loading,
    error,
    summary: value?.items.find(s => s.name === stream),
  };
}

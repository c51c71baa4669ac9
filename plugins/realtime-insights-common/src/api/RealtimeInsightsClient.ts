import {
  BackendTransport,
  DiscoveryLike,
  FetchLike,
  QueryParams,
} from './request';
import {
  BreakdownQuery,
  BreakdownResponse,
  DimensionFilter,
  FreshnessResponse,
  ListStreamsResponse,
  RecordsQuery,
  RecordsResponse,
  TimeSeriesQuery,
  TimeSeriesResponse,
} from './types';

/**
 * Typed client of the realtime-insights backend. Isomorphic: give it the
 * frontend's `discoveryApi`/`fetchApi` (so the user's token goes along), or a
 * backend's discovery and an authenticated fetch.
 *
 * @public
 */
export class RealtimeInsightsClient {
  private readonly transport: BackendTransport;

  constructor(options: { discoveryApi: DiscoveryLike; fetchApi: FetchLike }) {
    this.transport = new BackendTransport(options);
  }

  listStreams(): Promise<ListStreamsResponse> {
    return this.get('/streams');
  }

  getTimeSeries(
    stream: string,
    query: TimeSeriesQuery = {},
  ): Promise<TimeSeriesResponse> {
    const { filters, ...params } = query;
    return this.get(
      `/streams/${encodeURIComponent(stream)}/timeseries`,
      params,
      filters,
    );
  }

  getBreakdown(
    stream: string,
    query: BreakdownQuery,
  ): Promise<BreakdownResponse> {
    const { filters, ...params } = query;
    return this.get(
      `/streams/${encodeURIComponent(stream)}/breakdown`,
      params,
      filters,
    );
  }

  getRecords(
    stream: string,
    query: RecordsQuery = {},
  ): Promise<RecordsResponse> {
    const { filters, ...params } = query;
    return this.get(
      `/streams/${encodeURIComponent(stream)}/records`,
      params,
      filters,
    );
  }

  getFreshness(stream: string): Promise<FreshnessResponse> {
    return this.get(`/streams/${encodeURIComponent(stream)}/freshness`);
  }

  private get<T>(
    path: string,
    params: QueryParams = {},
    filters: DimensionFilter[] = [],
  ): Promise<T> {
    return this.transport.json<T>({ path, params, filters });
  }
}

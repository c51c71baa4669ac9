import { ResponseError } from '@backstage/errors';
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

/** The parts of Backstage's DiscoveryApi the client uses. @public */
export type DiscoveryLike = { getBaseUrl(pluginId: string): Promise<string> };
/** The parts of Backstage's FetchApi the client uses. @public */
export type FetchLike = { fetch: typeof fetch };

type Params = Record<string, string | number | undefined>;

/**
 * Typed client of the realtime-insights backend. Isomorphic: give it the
 * frontend's `discoveryApi`/`fetchApi` (so the user's token goes along), or a
 * backend's discovery and an authenticated fetch.
 *
 * @public
 */
export class RealtimeInsightsClient {
  private readonly discoveryApi: DiscoveryLike;
  private readonly fetchApi: FetchLike;

  constructor(options: { discoveryApi: DiscoveryLike; fetchApi: FetchLike }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
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

  private async get<T>(
    path: string,
    params: Params = {},
    filters: DimensionFilter[] = [],
  ): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) search.set(key, String(value));
    }
    for (const f of filters)
      search.append('filter', `${f.field}:${f.values.join(',')}`);
    const qs = search.toString();
    const baseUrl = await this.discoveryApi.getBaseUrl('realtime-insights');
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}${qs ? `?${qs}` : ''}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

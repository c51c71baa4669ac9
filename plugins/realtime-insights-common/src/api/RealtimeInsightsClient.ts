import { ResponseError } from '@backstage/errors';
import {
  ListStreamsResponse,
  RecordCountsQuery,
  RecordCountsResponse,
} from './types';

/** The parts of Backstage's DiscoveryApi the client uses. @public */
export type DiscoveryLike = { getBaseUrl(pluginId: string): Promise<string> };
/** The parts of Backstage's FetchApi the client uses. @public */
export type FetchLike = { fetch: typeof fetch };

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

  async listStreams(): Promise<ListStreamsResponse> {
    return this.get('/streams');
  }

  async getRecordCounts(
    stream: string,
    query: RecordCountsQuery = {},
  ): Promise<RecordCountsResponse> {
    const params = new URLSearchParams();
    if (query.from) params.set('from', query.from);
    if (query.to) params.set('to', query.to);
    const qs = params.toString();
    return this.get(
      `/streams/${encodeURIComponent(stream)}/record-counts${
        qs ? `?${qs}` : ''
      }`,
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('realtime-insights');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

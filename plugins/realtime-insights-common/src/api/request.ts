import { ResponseError } from '@backstage/errors';
import { DimensionFilter } from './types';

/** The parts of Backstage's DiscoveryApi the clients use. @public */
export type DiscoveryLike = { getBaseUrl(pluginId: string): Promise<string> };
/** The parts of Backstage's FetchApi the clients use. @public */
export type FetchLike = { fetch: typeof fetch };

/** Query-string parameters; `undefined` values are left out. @public */
export type QueryParams = Record<string, string | number | boolean | undefined>;

/** One call to the realtime-insights backend. */
export type BackendRequest = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the plugin's base URL, starting with `/`. */
  path: string;
  params?: QueryParams;
  filters?: DimensionFilter[];
  /** Sent as JSON. */
  body?: unknown;
};

/**
 * The transport shared by the plugin's typed clients: resolves the plugin's
 * base URL, sends the call through the given fetch (which carries the user's
 * token in the frontend) and turns error responses into `ResponseError`, so
 * the backend's message reaches the UI.
 *
 * @public
 */
export class BackendTransport {
  private readonly discoveryApi: DiscoveryLike;
  private readonly fetchApi: FetchLike;

  constructor(options: { discoveryApi: DiscoveryLike; fetchApi: FetchLike }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  /** The absolute URL of a backend path, with its query string. */
  async url(
    path: string,
    params: QueryParams = {},
    filters: DimensionFilter[] = [],
  ): Promise<string> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) search.set(key, String(value));
    }
    for (const f of filters) {
      search.append('filter', `${f.field}:${f.values.join(',')}`);
    }
    const qs = search.toString();
    const baseUrl = await this.discoveryApi.getBaseUrl('realtime-insights');
    return `${baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends the call; resolves with the response when it is 2xx. */
  async send(request: BackendRequest): Promise<Response> {
    const url = await this.url(request.path, request.params, request.filters);
    const init: RequestInit = { method: request.method ?? 'GET' };
    if (request.body !== undefined) {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = JSON.stringify(request.body);
    }
    const response = await this.fetchApi.fetch(url, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  /** Sends the call and parses the JSON answer (`undefined` for 204). */
  async json<T>(request: BackendRequest): Promise<T> {
    const response = await this.send(request);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

import {
  createApiFactory,
  discoveryApiRef as legacyDiscoveryApiRef,
  fetchApiRef as legacyFetchApiRef,
} from '@backstage/core-plugin-api';
import {
  ApiBlueprint,
  ApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  DiscoveryLike,
  FetchLike,
} from '@internal/plugin-realtime-insights-common';

/** A typed client of the backend, built from discovery and fetch. */
type BackendClient<T> = new (options: {
  discoveryApi: DiscoveryLike;
  fetchApi: FetchLike;
}) => T;

/**
 * One of the plugin's typed clients as an API in both frontend systems: an
 * `ApiBlueprint` extension for the new one and an API factory for the legacy
 * `createPlugin({ apis })`. `fetchApi` attaches the signed-in user's token
 * to every call.
 */
export function backendClientApis<T>(options: {
  /** Extension name; none for the plugin's main API. */
  name?: string;
  api: ApiRef<T>;
  client: BackendClient<T>;
}) {
  const { name, api, client: Client } = options;
  const create = (deps: { discoveryApi: DiscoveryLike; fetchApi: FetchLike }) =>
    new Client(deps);
  return {
    extension: ApiBlueprint.make({
      ...(name ? { name } : {}),
      params: defineParams =>
        defineParams({
          api,
          deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
          factory: create,
        }),
    }),
    factory: createApiFactory({
      api,
      deps: {
        discoveryApi: legacyDiscoveryApiRef,
        fetchApi: legacyFetchApiRef,
      },
      factory: create,
    }),
  };
}

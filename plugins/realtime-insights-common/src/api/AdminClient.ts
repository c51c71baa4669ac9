import {
  AdminHealthResponse,
  AdminSettingsResponse,
  AdminStream,
  AdminStreamsResponse,
  CacheFlushRequest,
  CacheFlushResponse,
  CacheStats,
  SettingValue,
  StreamSettingsUpdate,
} from './admin';
import { BackendTransport, DiscoveryLike, FetchLike } from './request';

/**
 * Typed client of the admin routes of the realtime-insights backend. Every
 * call needs `realtime-insights.admin`; others get a 403 `ResponseError`.
 *
 * @public
 */
export class AdminClient {
  private readonly transport: BackendTransport;

  constructor(options: { discoveryApi: DiscoveryLike; fetchApi: FetchLike }) {
    this.transport = new BackendTransport(options);
  }

  getSettings(): Promise<AdminSettingsResponse> {
    return this.transport.json({ path: '/admin/settings' });
  }

  /**
   * Saves changed settings (`null`: back to the default). With the
   * `revision` the form was loaded with, a save over a newer change by
   * someone else fails with 409 instead of silently undoing it.
   */
  updateSettings(
    changes: Record<string, SettingValue | null>,
    revision?: number,
  ): Promise<AdminSettingsResponse> {
    return this.transport.json({
      method: 'PATCH',
      path: '/admin/settings',
      body: { changes, ...(revision === undefined ? {} : { revision }) },
    });
  }

  listStreams(): Promise<AdminStreamsResponse> {
    return this.transport.json({ path: '/admin/streams' });
  }

  updateStream(
    entityRef: string,
    update: StreamSettingsUpdate,
  ): Promise<AdminStream> {
    return this.transport.json({
      method: 'PATCH',
      path: `/admin/streams/${encodeURIComponent(entityRef)}`,
      body: update,
    });
  }

  getCacheStats(): Promise<CacheStats> {
    return this.transport.json({ path: '/admin/cache' });
  }

  flushCache(request: CacheFlushRequest): Promise<CacheFlushResponse> {
    return this.transport.json({
      method: 'POST',
      path: '/admin/cache/flush',
      body: request,
    });
  }

  getHealth(): Promise<AdminHealthResponse> {
    return this.transport.json({ path: '/admin/health' });
  }
}

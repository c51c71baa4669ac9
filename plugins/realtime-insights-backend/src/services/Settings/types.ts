import { RealtimeInsightsConfig } from '../../config';

/** An admin's choices for one registered stream. */
export type StreamSettings = {
  /** False: the stream is hidden from insights, reports and following. */
  enabled: boolean;
  /** False: every query reads S3; nothing is cached for the stream. */
  cacheEnabled: boolean;
};

/** Stream settings of a stream no admin has touched. */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  enabled: true,
  cacheEnabled: true,
};

/**
 * The settings in effect now: `realtimeInsights` from app-config as the
 * defaults, overlaid with what admins changed in the portal. Services read
 * them per call (never copy them at startup), so a change takes effect on
 * every replica without a restart.
 */
export interface SettingsService {
  /** Cheap and synchronous: call it per request. */
  current(): RealtimeInsightsConfig;
  /** A stream's settings by its entity ref; cheap and synchronous. */
  stream(entityRef: string): StreamSettings;
}

/** The entity ref of a stream from its name in insights URLs. */
export function streamEntityRef(name: string): string {
  return name.includes('/') ? `resource:${name}` : `resource:default/${name}`;
}

import { RealtimeInsightsConfig } from '../../config';

/**
 * The settings in effect now: `realtimeInsights` from app-config as the
 * defaults, overlaid with what admins changed in the portal. Services read
 * them per call (never copy them at startup), so a change takes effect on
 * every replica without a restart.
 */
export interface SettingsService {
  /** Cheap and synchronous: call it per request. */
  current(): RealtimeInsightsConfig;
}

import { RealtimeInsightsConfig } from '../../config';
import { SettingsService } from './types';

/** Settings straight from app-config, with no overrides: for tests and tools. */
export class StaticSettingsService implements SettingsService {
  constructor(private readonly config: RealtimeInsightsConfig) {}

  current(): RealtimeInsightsConfig {
    return this.config;
  }
}

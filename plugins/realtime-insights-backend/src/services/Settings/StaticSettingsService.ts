import { RealtimeInsightsConfig } from '../../config';
import {
  DEFAULT_STREAM_SETTINGS,
  SettingsService,
  StreamSettings,
} from './types';

/** Settings straight from app-config, with no overrides: for tests and tools. */
export class StaticSettingsService implements SettingsService {
  constructor(private readonly config: RealtimeInsightsConfig) {}

  current(): RealtimeInsightsConfig {
    return this.config;
  }

  stream(_entityRef: string): StreamSettings {
    return DEFAULT_STREAM_SETTINGS;
  }
}

export type { SettingsService, StreamSettings } from './types';
export { DEFAULT_STREAM_SETTINGS, streamEntityRef } from './types';
export { StaticSettingsService } from './StaticSettingsService';
export { DatabaseSettingsService } from './DatabaseSettingsService';
export type {
  DatabaseSettingsServiceOptions,
  SettingsChange,
  StoredStreamSettings,
} from './DatabaseSettingsService';
export { scheduleFollowingSetting } from './scheduleFollowingSetting';

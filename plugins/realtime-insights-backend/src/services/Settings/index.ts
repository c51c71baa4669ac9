export type { SettingsService } from './types';
export { StaticSettingsService } from './StaticSettingsService';

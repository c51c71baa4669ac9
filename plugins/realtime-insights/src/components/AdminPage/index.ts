export { AdminPage } from './AdminPage';
export {
  adminApiExtension,
  adminApiFactory,
  realtimeInsightsAdminApiRef,
} from './adminApi';
export type { RealtimeInsightsAdminApi } from './adminApi';

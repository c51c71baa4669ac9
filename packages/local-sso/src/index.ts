export { startLocalSso } from './startLocalSso';
export type {
  LocalSso,
  LocalSsoOptions,
  SsoClient,
  SsoUser,
} from './startLocalSso';

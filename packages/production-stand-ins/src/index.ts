/**
 * Local stand-ins for what exists only in production, speaking the same
 * protocols: the company SSO (a certified OpenID Provider), TLS with a CA
 * made for the run, Redis with TLS and AUTH, PostgreSQL with TLS only, and
 * the company's people. `npm run start:prod` and the tests run them.
 */
export { startLocalSso } from './sso/startLocalSso';
export type {
  LocalSso,
  LocalSsoOptions,
  SsoClient,
  SsoUser,
} from './sso/startLocalSso';
export { CookieBrowser } from './sso/cookieBrowser';
export { makeThrowawayTls } from './tls/makeThrowawayTls';
export type { ThrowawayTls } from './tls/makeThrowawayTls';
export { startTlsRedis } from './redis/startTlsRedis';
export type { TlsRedis } from './redis/startTlsRedis';
export { startTlsPostgres } from './postgres/startTlsPostgres';
export type { TlsPostgres } from './postgres/startTlsPostgres';
export { PEOPLE, TEAMS, orgCatalogYaml } from './people';
export type { Person } from './people';
export {
  freePort,
  startLogged,
  stopChild,
  waitForHttp,
  waitUntil,
} from './processes';

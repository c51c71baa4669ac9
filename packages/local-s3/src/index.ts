/**
 * The local object store: s3rver on loopback, for `npm start` and tests.
 *
 * @packageDocumentation
 */
export * from './startLocalS3';

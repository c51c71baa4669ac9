/**
 * Isomorphic parts of the Real-time Insights plugins: device record schemas,
 * API types and the typed API client.
 *
 * @packageDocumentation
 */

export * from './records';
export * from './api';
export * from './permissions';
export * from './streams';

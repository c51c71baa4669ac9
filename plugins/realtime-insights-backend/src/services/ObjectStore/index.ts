export * from './S3ObjectStore';
export { S3RequestMetrics, isThrottling } from './S3RequestMetrics';

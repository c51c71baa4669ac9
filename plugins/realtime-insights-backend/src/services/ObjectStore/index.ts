export * from './S3ObjectStore';

/**
 * The Firehose record transformation: the same handler runs as the AWS
 * Lambda and in-process inside firehose-local.
 *
 * @packageDocumentation
 */
export * from './flatten';
export * from './handler';

import {
  DataClass,
  DATA_CLASSES,
} from '@internal/plugin-realtime-insights-common';
import { flattenRecord, toNdjson } from './flatten';

/** A Firehose data-transformation event (the Lambda contract). */
export type FirehoseTransformationEvent = {
  invocationId: string;
  deliveryStreamArn: string;
  region?: string;
  records: Array<{
    recordId: string;
    /** Milliseconds since the epoch. */
    approximateArrivalTimestamp: number;
    /** Base64 of the bytes the device sent. */
    data: string;
  }>;
};

/** @public */
export type TransformResultCode = 'Ok' | 'Dropped' | 'ProcessingFailed';

/** The Lambda's answer: one entry per input record, same record ids. */
export type FirehoseTransformationResult = {
  records: Array<{
    recordId: string;
    result: TransformResultCode;
    data: string;
  }>;
};

/**
 * A transformation result plus the reason a record failed. Firehose's
 * contract has no field for the reason; `firehose-local` reads it from here
 * and writes it into the error document, the Lambda logs it.
 */
export type DetailedTransformationResult = {
  records: Array<
    FirehoseTransformationResult['records'][number] & { reason?: string }
  >;
};

/** Data class of a delivery stream, from its name or ARN (`…/interactions`). */
export function dataClassOfStream(
  streamNameOrArn: string,
): DataClass | undefined {
  const name = streamNameOrArn.split('/').pop() ?? '';
  return DATA_CLASSES.find(c => name === c || name.endsWith(`-${c}`));
}

/**
 * Transforms a batch. Each record is handled on its own: a bad record is
 * `ProcessingFailed` with its original data, never an exception for the batch.
 */
export function transformRecords(
  event: FirehoseTransformationEvent,
): DetailedTransformationResult {
  const expectedClass = dataClassOfStream(event.deliveryStreamArn);
  return {
    records: event.records.map(record => {
      const raw = Buffer.from(record.data, 'base64');
      const flat = flattenRecord(
        raw,
        new Date(record.approximateArrivalTimestamp),
        expectedClass,
      );
      if (!flat.ok) {
        return {
          recordId: record.recordId,
          result: 'ProcessingFailed' as const,
          data: record.data,
          reason: flat.reason,
        };
      }
      return {
        recordId: record.recordId,
        result: 'Ok' as const,
        data: toNdjson(flat.events).toString('base64'),
      };
    }),
  };
}

/** The AWS Lambda entry point. */
export async function handler(
  event: FirehoseTransformationEvent,
): Promise<FirehoseTransformationResult> {
  const detailed = transformRecords(event);
  return {
    records: detailed.records.map(({ reason, ...record }) => {
      if (reason) {
        // CloudWatch is where a Lambda's reasons go; the raw bytes land under
        // the error prefix through Firehose itself.
        console.warn(
          JSON.stringify({
            msg: 'record failed',
            recordId: record.recordId,
            reason,
          }),
        );
      }
      return record;
    }),
  };
}

import { Entity } from '@backstage/catalog-model';
import {
  STREAM_ANNOTATIONS,
  STREAM_ENTITY_KIND,
  STREAM_ENTITY_TYPE,
} from '@internal/plugin-realtime-insights-common';

/**
 * A stream registered in the catalog, as teams do: its Firehose delivery
 * stream is `rti-<name>`.
 */
export function streamEntity(stream: {
  name: string;
  bucket: string;
  owner: string;
  dimensions: string;
  measures?: string;
  namespace?: string;
  /** More annotations, or ones that replace those above. */
  annotations?: Record<string, string>;
}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: STREAM_ENTITY_KIND,
    metadata: {
      name: stream.name,
      ...(stream.namespace ? { namespace: stream.namespace } : {}),
      annotations: {
        [STREAM_ANNOTATIONS.firehoseStream]: `rti-${stream.name}`,
        [STREAM_ANNOTATIONS.bucket]: stream.bucket,
        ...(stream.measures
          ? { [STREAM_ANNOTATIONS.measures]: stream.measures }
          : {}),
        [STREAM_ANNOTATIONS.dimensions]: stream.dimensions,
        ...stream.annotations,
      },
    },
    spec: { type: STREAM_ENTITY_TYPE, owner: stream.owner },
  };
}

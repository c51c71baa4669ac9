import {
  STREAM_ANNOTATIONS,
  STREAM_ENTITY_KIND,
  STREAM_ENTITY_TYPE,
} from '@internal/plugin-realtime-insights-common';

/** A stream entity to start from; the annotation names come from -common. */
export const REGISTER_STREAM_SNIPPET = `apiVersion: backstage.io/v1alpha1
kind: ${STREAM_ENTITY_KIND}
metadata:
  name: checkout-events
  title: Checkout events
  annotations:
    ${STREAM_ANNOTATIONS.firehoseStream}: rti-checkout-events
    ${STREAM_ANNOTATIONS.bucket}: rti-checkout-events
    ${STREAM_ANNOTATIONS.prefix}: events/
    ${STREAM_ANNOTATIONS.measures}: amount,latencyMs
    ${STREAM_ANNOTATIONS.dimensions}: status,currency
spec:
  type: ${STREAM_ENTITY_TYPE}
  owner: group:default/your-team
`;

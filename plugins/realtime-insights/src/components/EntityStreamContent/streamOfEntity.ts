import {
  Entity,
  isResourceEntity,
  parseEntityRef,
} from '@backstage/catalog-model';
import { STREAM_ENTITY_TYPE } from '@internal/plugin-realtime-insights-common';

/**
 * Annotation by which a Component (or any non-stream entity) declares the
 * stream it produces: the stream's name (`interactions`, or
 * `<namespace>/<name>` outside the default namespace) or its entity ref
 * (`resource:default/interactions`).
 *
 * @public
 */
export const STREAM_REF_ANNOTATION = 'realtime-insights.io/stream';

/** A stream's name in insights URLs: the entity name, namespaced outside default. */
function streamName(namespace: string, name: string): string {
  return namespace === 'default' ? name : `${namespace}/${name}`;
}

/**
 * The stream an entity's insights tab shows: the entity itself when it is
 * a stream (Resource of type data-stream), else the one its
 * `realtime-insights.io/stream` annotation names; undefined for neither.
 *
 * @public
 */
export function streamOfEntity(entity: Entity): string | undefined {
  const namespace = entity.metadata.namespace || 'default';
  if (isResourceEntity(entity) && entity.spec.type === STREAM_ENTITY_TYPE) {
    return streamName(namespace, entity.metadata.name);
  }
  const declared = entity.metadata.annotations?.[STREAM_REF_ANNOTATION]?.trim();
  if (!declared) return undefined;
  if (declared.includes(':')) {
    try {
      const ref = parseEntityRef(declared, { defaultNamespace: 'default' });
      return streamName(ref.namespace, ref.name);
    } catch {
      return declared;
    }
  }
  return declared;
}

/**
 * Whether an entity has a Real-time Insights tab: for `EntitySwitch` in
 * the legacy frontend system, and the entity content's filter.
 *
 * @public
 */
export function isRealtimeInsightsAvailable(entity: Entity): boolean {
  return streamOfEntity(entity) !== undefined;
}

import { Entity } from '@backstage/catalog-model';
import { isRealtimeInsightsAvailable, streamOfEntity } from './streamOfEntity';

function entity(
  kind: string,
  type: string,
  annotations: Record<string, string> = {},
  namespace?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'checkout', namespace, annotations },
    spec: { type, owner: 'payments' },
  };
}

describe('streamOfEntity', () => {
  it('is the stream entity itself, namespaced outside default', () => {
    expect(streamOfEntity(entity('Resource', 'data-stream'))).toBe('checkout');
    expect(streamOfEntity(entity('resource', 'data-stream', {}, 'web'))).toBe(
      'web/checkout',
    );
  });

  it('is the stream a Component declares by name or entity ref', () => {
    const annotated = (value: string) =>
      streamOfEntity(
        entity('Component', 'service', {
          'realtime-insights.io/stream': value,
        }),
      );
    expect(annotated('interactions')).toBe('interactions');
    expect(annotated(' web/clicks ')).toBe('web/clicks');
    expect(annotated('resource:default/interactions')).toBe('interactions');
    expect(annotated('resource:web/clicks')).toBe('web/clicks');
  });

  it('is none for other entities', () => {
    expect(streamOfEntity(entity('Component', 'service'))).toBeUndefined();
    expect(streamOfEntity(entity('Resource', 's3-bucket'))).toBeUndefined();
    expect(isRealtimeInsightsAvailable(entity('Resource', 'data-stream'))).toBe(
      true,
    );
    expect(isRealtimeInsightsAvailable(entity('Component', 'website'))).toBe(
      false,
    );
  });
});

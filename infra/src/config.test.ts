import { dataClassOfStream } from '@internal/record-transform';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import {
  defaultInfraConfig,
  deliveryStreamName,
  resolveInfraConfig,
} from './config';

describe('infra config', () => {
  it('has sane defaults', () => {
    const config = resolveInfraConfig();
    expect(config.stage).toBe('prod');
    expect(config.portal.replicas).toBeGreaterThanOrEqual(3);
    expect(config.platform.maxAzs).toBeGreaterThanOrEqual(2);
    expect(config.ingestion.allowUnauthenticatedIdentities).toBe(false);
  });

  it('merges overrides one level deep', () => {
    const config = resolveInfraConfig({
      stage: 'dev',
      portal: { replicas: 4 },
    });
    expect(config.stage).toBe('dev');
    expect(config.portal.replicas).toBe(4);
    expect(config.portal.namespace).toBe(defaultInfraConfig().portal.namespace);
    expect(config.tags.stage).toBe('dev');
  });

  it('names the bad fields', () => {
    expect(() =>
      resolveInfraConfig({
        account: '12',
        portal: { replicas: 2 },
        platform: { maxAzs: 1 },
      }),
    ).toThrow(/account.*platform\.maxAzs.*portal\.replicas/);
  });

  it('names streams so that the transform recognises their class', () => {
    for (const dataClass of DATA_CLASSES) {
      expect(
        dataClassOfStream(deliveryStreamName(resolveInfraConfig(), dataClass)),
      ).toBe(dataClass);
    }
  });
});

import { deviceRecordSchema, dataClassOfSchema } from './schemas';

const envelope = {
  deviceId: 'dev-1',
  customerId: 'cust-1',
  sentAt: '2026-11-23T10:00:00Z',
};

describe('deviceRecordSchema', () => {
  it('accepts each class and normalises enum case', () => {
    const interactions = deviceRecordSchema.parse({
      schema: 'interactions/v1',
      ...envelope,
      events: [{ at: '2026-11-23T10:00:01Z', type: 'TAP', screen: 'home' }],
    });
    expect(interactions.events[0]).toMatchObject({ type: 'tap' });

    const tx = deviceRecordSchema.parse({
      schema: 'transaction-logs/v1',
      ...envelope,
      events: [
        {
          at: '2026-11-23T10:00:01+02:00',
          transactionId: 't1',
          amount: 12.5,
          currency: 'eur',
          status: 'Declined',
          latencyMs: 120,
        },
      ],
    });
    expect(tx.events[0]).toMatchObject({ currency: 'EUR', status: 'declined' });

    expect(
      deviceRecordSchema.safeParse({
        schema: 'sensor-readings/v1',
        ...envelope,
        events: [
          {
            at: '2026-11-23T10:00:01Z',
            sensor: 'battery',
            value: 80,
            unit: '%',
          },
        ],
      }).success,
    ).toBe(true);
  });

  it('names the bad field', () => {
    const result = deviceRecordSchema.safeParse({
      schema: 'interactions/v1',
      ...envelope,
      events: [{ at: 'yesterday', type: 'tap', screen: 'home' }],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(['events', 0, 'at']);
  });

  it('rejects unknown schemas and empty event lists', () => {
    expect(
      deviceRecordSchema.safeParse({
        schema: 'clicks/v1',
        ...envelope,
        events: [],
      }).success,
    ).toBe(false);
    expect(
      deviceRecordSchema.safeParse({
        schema: 'interactions/v1',
        ...envelope,
        events: [],
      }).success,
    ).toBe(false);
  });
});

describe('dataClassOfSchema', () => {
  it('maps a schema id to its class', () => {
    expect(dataClassOfSchema('sensor-readings/v1')).toBe('sensor-readings');
    expect(dataClassOfSchema('nope/v1')).toBeUndefined();
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { realtimeInsightsConfigSchema } from '../../config';
import { SettingsChange } from './DatabaseSettingsService';
import { scheduleFollowingSetting } from './scheduleFollowingSetting';
import { DEFAULT_STREAM_SETTINGS } from './types';

describe('scheduleFollowingSetting', () => {
  it('schedules again with the new frequency and stops the previous registration', async () => {
    const defaults = realtimeInsightsConfigSchema.parse({});
    const scheduler = mockServices.scheduler.mock();
    let listener: ((change: SettingsChange) => void) | undefined;
    const settings = {
      current: () => defaults,
      stream: () => DEFAULT_STREAM_SETTINGS,
      onChange: (l: (change: SettingsChange) => void) => {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
    };
    const fn = jest.fn();
    const scheduled = await scheduleFollowingSetting({
      scheduler,
      settings,
      logger: mockServices.logger.mock(),
      frequencySeconds: c => c.live.followIntervalSeconds,
      task: { id: 'follow', timeout: { minutes: 1 }, scope: 'global', fn },
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    const first = scheduler.scheduleTask.mock.calls[0][0];
    expect(first).toMatchObject({ id: 'follow', frequency: { seconds: 5 } });

    const after = { ...defaults, live: { followIntervalSeconds: 2 } };
    // Another setting changing leaves the task alone.
    listener!({ type: 'settings', before: defaults, after: defaults });
    listener!({ type: 'settings', before: defaults, after });
    await new Promise(r => setImmediate(r));
    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(2);
    const second = scheduler.scheduleTask.mock.calls[1][0];
    expect(second).toMatchObject({
      id: 'follow',
      fn,
      scope: 'global',
      frequency: { seconds: 2 },
    });
    expect(first.signal?.aborted).toBe(true);
    expect(second.signal?.aborted).toBe(false);

    scheduled.stop();
    expect(second.signal?.aborted).toBe(true);
    expect(listener).toBeUndefined();
  });
});

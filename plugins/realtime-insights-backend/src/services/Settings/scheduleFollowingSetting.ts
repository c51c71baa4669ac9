import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { RealtimeInsightsConfig } from '../../config';
import { SettingsChange } from './DatabaseSettingsService';
import { SettingsService } from './types';

export type ScheduleFollowingSettingOptions = {
  scheduler: SchedulerService;
  settings: SettingsService & {
    onChange(listener: (change: SettingsChange) => void): () => void;
  };
  logger: LoggerService;
  /** The task's frequency in seconds, from the settings in effect. */
  frequencySeconds: (config: RealtimeInsightsConfig) => number;
  task: Omit<
    SchedulerServiceTaskScheduleDefinition &
      SchedulerServiceTaskInvocationDefinition,
    'frequency' | 'signal'
  >;
};

/**
 * Schedules a task whose frequency is a setting. When admins change it, the
 * task is scheduled again with the new frequency and this replica's earlier
 * registration stops. Global tasks keep their schedule in the scheduler's
 * database, so the replica that hears of the change first moves the next
 * runs of all of them; the others re-register the same frequency.
 */
export async function scheduleFollowingSetting(
  options: ScheduleFollowingSettingOptions,
): Promise<{ stop(): void }> {
  const { scheduler, settings, logger, frequencySeconds, task } = options;
  let controller = new AbortController();
  let seconds = frequencySeconds(settings.current());
  await scheduler.scheduleTask({
    ...task,
    frequency: { seconds },
    signal: controller.signal,
  });

  let queue = Promise.resolve();
  const unsubscribe = settings.onChange(change => {
    if (change.type !== 'settings') return;
    const next = frequencySeconds(change.after);
    if (next === seconds) return;
    seconds = next;
    queue = queue.then(async () => {
      controller.abort();
      controller = new AbortController();
      try {
        await scheduler.scheduleTask({
          ...task,
          initialDelay: undefined,
          frequency: { seconds: next },
          signal: controller.signal,
        });
        logger.info(`Task ${task.id} now runs every ${next} s`);
      } catch (error) {
        logger.error(`Could not reschedule task ${task.id}: ${error}`);
      }
    });
  });

  return {
    stop() {
      unsubscribe();
      controller.abort();
    },
  };
}

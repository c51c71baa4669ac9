import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import express from 'express';

/**
 * Runs `action` inside an audit event: the event succeeds with the meta
 * the action returns beside its result, or fails with the action's error
 * (and the event's own meta), which is thrown on.
 */
export async function audited<T>(
  auditor: AuditorService,
  event: {
    eventId: string;
    severityLevel: AuditorServiceEventSeverityLevel;
    request: express.Request;
    meta: JsonObject;
  },
  action: () => Promise<{ result: T; meta: JsonObject }>,
): Promise<T> {
  const audit = await auditor.createEvent(event);
  let done: { result: T; meta: JsonObject };
  try {
    done = await action();
  } catch (error) {
    await audit.fail({
      error: isError(error) ? error : new Error(`${error}`),
      meta: event.meta,
    });
    throw error;
  }
  await audit.success({ meta: done.meta });
  return done.result;
}

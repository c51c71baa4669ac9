import { ResponseError } from '@backstage/errors';

/**
 * The error the backend sent (e.g. `InputError: …`) rather than the
 * generic "Request failed with 400", so users see what to fix.
 */
export function backendError(error: Error): Error {
  if (error instanceof ResponseError && error.cause?.message) {
    return error.cause as Error;
  }
  return error;
}

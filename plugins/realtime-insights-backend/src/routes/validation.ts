import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * Parses a request's input with its schema; a failure is an `InputError`
 * (400) naming the parameter or field and what is wrong with it.
 */
function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  kind: { noun: string; whole: string },
): z.infer<T> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    let name = issue.path.join('.') || kind.whole;
    if (issue.code === 'unrecognized_keys') name = issue.keys.join(', ');
    else if (issue.code === 'invalid_union') name = kind.whole;
    throw new InputError(`Invalid ${kind.noun} '${name}': ${issue.message}`);
  }
  return parsed.data;
}

/** A query string, checked with its schema. */
export function parseQuery<T extends z.ZodTypeAny>(
  schema: T,
  query: unknown,
): z.infer<T> {
  return parseInput(schema, query, { noun: 'query parameter', whole: 'query' });
}

/** A JSON body, checked with its schema. */
export function parseBody<T extends z.ZodTypeAny>(
  schema: T,
  body: unknown,
): z.infer<T> {
  return parseInput(schema, body, { noun: 'field', whole: 'body' });
}

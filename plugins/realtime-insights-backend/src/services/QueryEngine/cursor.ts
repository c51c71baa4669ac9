import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Where a records page ended: the object and its last line returned. */
export type CursorPosition = { key: string; line: number };

const queryHash = (queryId: string) =>
  createHash('sha256').update(queryId).digest('base64url').slice(0, 12);

/** Opaque to clients; bound to the query it was issued for. */
export function encodeCursor(
  position: CursorPosition,
  queryId: string,
): string {
  return Buffer.from(
    JSON.stringify({
      k: position.key,
      l: position.line,
      q: queryHash(queryId),
    }),
  ).toString('base64url');
}

const cursorSchema = z.object({
  k: z.string().min(1).max(1024),
  l: z.number().int().min(0),
  q: z.string(),
});

export function decodeCursor(cursor: string, queryId: string): CursorPosition {
  const notOurs = () =>
    new InputError(
      `Invalid query parameter 'cursor': not a cursor this API issued`,
    );
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw notOurs();
  if (parsed.data.q !== queryHash(queryId)) {
    throw new InputError(
      `Invalid query parameter 'cursor': it belongs to another query (range or filters changed); start again without a cursor`,
    );
  }
  return { key: parsed.data.k, line: parsed.data.l };
}

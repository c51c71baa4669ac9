import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';

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

export function decodeCursor(cursor: string, queryId: string): CursorPosition {
  let parsed: { k?: unknown; l?: unknown; q?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InputError(
      `Invalid query parameter 'cursor': not a cursor this API issued`,
    );
  }
  if (typeof parsed.k !== 'string' || typeof parsed.l !== 'number') {
    throw new InputError(
      `Invalid query parameter 'cursor': not a cursor this API issued`,
    );
  }
  if (parsed.q !== queryHash(queryId)) {
    throw new InputError(
      `Invalid query parameter 'cursor': it belongs to another query (range or filters changed); start again without a cursor`,
    );
  }
  return { key: parsed.k, line: parsed.l };
}

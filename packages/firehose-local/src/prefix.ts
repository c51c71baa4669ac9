import { randomInt, randomUUID } from 'node:crypto';

/**
 * S3 key prefixes with Firehose's `!{namespace:value}` expressions:
 * `!{timestamp:<java DateTimeFormatter pattern>}` (UTC, arrival time of the
 * oldest record in the object), `!{firehose:random-string}` and
 * `!{firehose:error-output-type}`.
 */

/** Why a record ended up under the error prefix. */
export type ErrorOutputType = 'processing-failed' | 's3-failed';

const EXPRESSION = /!\{([^}:]*):([^}]*)\}/g;
const HAS_EXPRESSION = /!\{[^}:]*:[^}]*\}/;

/** What Firehose uses when a prefix holds no expression at all. */
const DEFAULT_TIME_PATTERN = 'yyyy/MM/dd/HH/';

// The DateTimeFormatter letters we support, and the widths that make sense.
const SUPPORTED_LETTERS: Record<string, number[]> = {
  y: [1, 2, 4],
  u: [1, 2, 4],
  M: [1, 2],
  d: [1, 2],
  H: [1, 2],
  m: [1, 2],
  s: [1, 2],
  S: [1, 2, 3],
};

type PatternToken = { literal: string } | { letter: string; width: number };

function tokenizeDatePattern(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === "'") {
      // 'text' is literal text; '' is a quote, inside or outside text.
      if (pattern[i + 1] === "'") {
        tokens.push({ literal: "'" });
        i += 2;
        continue;
      }
      let literal = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) {
          throw new Error(`unterminated quote in '${pattern}'`);
        }
        if (pattern[j] === "'") {
          if (pattern[j + 1] !== "'") break;
          literal += "'";
          j += 2;
        } else {
          literal += pattern[j++];
        }
      }
      tokens.push({ literal });
      i = j + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let width = 1;
      while (pattern[i + width] === ch) width++;
      const widths = SUPPORTED_LETTERS[ch];
      if (!widths || !widths.includes(width)) {
        throw new Error(
          `unsupported date pattern letter '${ch.repeat(
            width,
          )}' in '${pattern}'`,
        );
      }
      tokens.push({ letter: ch, width });
      i += width;
    } else {
      tokens.push({ literal: ch });
      i++;
    }
  }
  return tokens;
}

const pad = (value: number, width: number) =>
  String(value).padStart(width, '0');

/** Formats a UTC instant with a (subset of a) Java DateTimeFormatter pattern. */
export function formatTimestamp(pattern: string, epochMs: number): string {
  const date = new Date(epochMs);
  return tokenizeDatePattern(pattern)
    .map(token => {
      if ('literal' in token) return token.literal;
      const { letter, width } = token;
      switch (letter) {
        case 'y':
        case 'u': {
          const year = date.getUTCFullYear();
          return width === 2 ? pad(year % 100, 2) : pad(year, width);
        }
        case 'M':
          return pad(date.getUTCMonth() + 1, width);
        case 'd':
          return pad(date.getUTCDate(), width);
        case 'H':
          return pad(date.getUTCHours(), width);
        case 'm':
          return pad(date.getUTCMinutes(), width);
        case 's':
          return pad(date.getUTCSeconds(), width);
        default:
          // S: fraction of second, truncated to the width.
          return pad(date.getUTCMilliseconds(), 3).slice(0, width);
      }
    })
    .join('');
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `!{firehose:random-string}`: 11 random alphanumeric characters. */
export function randomString(length = 11): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/**
 * Checks a prefix template; returns a message naming the problem, or
 * undefined when it is fine. Mirrors Firehose's rules: the error-output-type
 * belongs only in the error prefix, and an error prefix with expressions
 * must contain it.
 */
export function validatePrefixExpression(
  template: string,
  kind: 'prefix' | 'errorOutputPrefix',
): string | undefined {
  const stripped = template.replace(EXPRESSION, '');
  if (stripped.includes('!{')) {
    return `malformed expression in '${template}' (expected !{namespace:value})`;
  }
  let hasExpression = false;
  let hasErrorType = false;
  for (const [, namespace, value] of template.matchAll(EXPRESSION)) {
    hasExpression = true;
    if (namespace === 'timestamp') {
      try {
        tokenizeDatePattern(value);
      } catch (error) {
        return (error as Error).message;
      }
    } else if (namespace === 'firehose') {
      if (value === 'error-output-type') {
        if (kind === 'prefix') {
          return '!{firehose:error-output-type} is only allowed in errorOutputPrefix';
        }
        hasErrorType = true;
      } else if (value !== 'random-string') {
        return `unknown expression !{firehose:${value}} (use random-string or error-output-type)`;
      }
    } else {
      return `unsupported expression namespace '${namespace}' (use timestamp or firehose)`;
    }
  }
  if (kind === 'errorOutputPrefix' && hasExpression && !hasErrorType) {
    return 'an errorOutputPrefix with expressions must contain !{firehose:error-output-type}';
  }
  return undefined;
}

/**
 * Evaluates a prefix template for an object whose oldest record arrived at
 * `oldestArrivalMs`. A template without expressions gets Firehose's default
 * time folders appended (and, for errors, the error output type first).
 */
export function evaluatePrefix(
  template: string,
  oldestArrivalMs: number,
  errorOutputType?: ErrorOutputType,
): string {
  if (!HAS_EXPRESSION.test(template)) {
    const typeFolder = errorOutputType ? `${errorOutputType}/` : '';
    return `${template}${typeFolder}${formatTimestamp(
      DEFAULT_TIME_PATTERN,
      oldestArrivalMs,
    )}`;
  }
  return template.replace(EXPRESSION, (_match, namespace, value) => {
    if (namespace === 'timestamp') {
      return formatTimestamp(value, oldestArrivalMs);
    }
    if (value === 'random-string') return randomString();
    if (value === 'error-output-type') {
      if (!errorOutputType) {
        throw new Error('error-output-type used outside an error prefix');
      }
      return errorOutputType;
    }
    throw new Error(`unsupported expression !{${namespace}:${value}}`);
  });
}

/**
 * The object name Firehose appends to the prefix:
 * `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`.
 */
export function objectName(
  streamName: string,
  oldestArrivalMs: number,
  extension: string,
): string {
  const time = formatTimestamp('yyyy-MM-dd-HH-mm-ss', oldestArrivalMs);
  return `${streamName}-1-${time}-${randomUUID()}${extension}`;
}

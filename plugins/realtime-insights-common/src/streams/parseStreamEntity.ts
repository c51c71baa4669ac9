import { z } from 'zod';
import {
  MAX_BUFFER_INTERVAL_SECONDS,
  STREAM_ANNOTATIONS,
  STREAM_ANNOTATION_PREFIX,
  STREAM_ENTITY_KIND,
  STREAM_ENTITY_TYPE,
} from './annotations';

/**
 * A registered stream, as read from its catalog entity. Bucket, prefix and
 * Firehose stream come only from here, never from a request.
 *
 * @public
 */
export type StreamDefinition = {
  /**
   * The stream's id in insights URLs: the entity's `metadata.name`, or
   * `<namespace>/<name>` for entities outside the `default` namespace (encode
   * it as one path segment).
   */
  name: string;
  /** Ref of the stream entity, e.g. `resource:default/interactions`. */
  entityRef: string;
  title: string;
  description?: string;
  /** Ref of the owning user or group, e.g. `group:default/payments`. */
  owner: string;
  firehoseStream: string;
  bucket: string;
  /** Key prefix of delivered objects; ends with `/`. */
  prefix: string;
  region?: string;
  endpoint?: string;
  timestampField: string;
  /** Numeric fields of the flattened events. */
  measures: string[];
  /** Categorical fields of the flattened events. */
  dimensions: string[];
  /** How long after its name's time an object can hold records, seconds (0-3600). */
  bufferIntervalSeconds: number;
};

/**
 * The parts of a catalog entity a stream is read from. `Entity` from
 * `@backstage/catalog-model` fits it.
 *
 * @public
 */
export type StreamEntity = {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    description?: string;
    annotations?: Record<string, string>;
  };
  spec?: { [key: string]: unknown };
  relations?: Array<{ type: string; targetRef: string }>;
};

/** @public */
export type ParseStreamEntityResult =
  | { stream: StreamDefinition }
  | { errors: string[] };

const MAX_FIELDS = 32;
const A = STREAM_ANNOTATIONS;

const quoted = (value: unknown) => JSON.stringify(value);

/** A trimmed annotation value matching `pattern`, or a message with an example. */
function matching(pattern: RegExp, what: string, example: string) {
  return z
    .string()
    .trim()
    .refine(
      value => pattern.test(value),
      value => ({
        message: `${quoted(value)} is not ${what}, e.g. ${quoted(example)}`,
      }),
    );
}

function required<T extends z.ZodTypeAny>(schema: T, purpose: string) {
  return z
    .string({ required_error: `is missing: set it to ${purpose}` })
    .pipe(schema);
}

const fieldName = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function fieldList(kind: string, example: string) {
  return z
    .string()
    .optional()
    .transform(value =>
      (value ?? '')
        .split(',')
        .map(item => item.trim())
        .filter(Boolean),
    )
    .superRefine((fields, ctx) => {
      for (const field of fields) {
        if (!fieldName.test(field)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `${quoted(
              field,
            )} is not a field name (letters, digits and _, not starting with a digit); list ${kind} fields separated by commas, e.g. ${quoted(
              example,
            )}`,
          });
        }
      }
      const repeated = fields.filter((f, i) => fields.indexOf(f) !== i);
      if (repeated.length) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `lists ${[...new Set(repeated)]
            .map(quoted)
            .join(', ')} more than once`,
        });
      }
      if (fields.length > MAX_FIELDS) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `lists ${fields.length} fields; at most ${MAX_FIELDS} are supported`,
        });
      }
    });
}

/**
 * The stream annotations. Keys are the annotation names so that an issue's
 * path names the annotation to fix.
 */
const streamAnnotationsSchema = z
  .object({
    [A.firehoseStream]: required(
      matching(
        /^[A-Za-z0-9_.-]{1,64}$/,
        'a Firehose delivery stream name (1-64 letters, digits, _ . -)',
        'rti-interactions',
      ),
      'the name of the Firehose delivery stream, e.g. "rti-interactions"',
    ),
    [A.bucket]: required(
      matching(
        /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)',
        'rti-interactions',
      ),
      'the S3 bucket the delivery stream writes to, e.g. "rti-interactions"',
    ),
    [A.prefix]: matching(
      // Static key prefix: relative, ends with "/", no empty segments and no
      // Firehose `!{…}` expressions (the partitions below it are read as
      // year=/month=/day=/hour=).
      /^(?!\/)(?!.*\/\/)(?!.*!\{)[^\s]{0,510}\/$/,
      'an S3 key prefix ending with "/" (no leading "/", no "//", no !{...} expressions)',
      'events/',
    ).default('events/'),
    [A.region]: matching(
      /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
      'an AWS region',
      'eu-west-1',
    ).optional(),
    [A.endpoint]: z
      .string()
      .trim()
      .refine(
        value => {
          try {
            const url = new URL(value);
            return (
              (url.protocol === 'https:' || url.protocol === 'http:') &&
              !url.username &&
              !url.password &&
              !url.search &&
              !url.hash
            );
          } catch {
            return false;
          }
        },
        value => ({
          message: `${quoted(
            value,
          )} is not an http(s) URL without credentials or query, e.g. "https://s3.eu-west-1.amazonaws.com"`,
        }),
      )
      .optional(),
    [A.timestampField]: matching(
      fieldName,
      'a field name (letters, digits and _, not starting with a digit)',
      'ts',
    ).default('ts'),
    [A.bufferIntervalSeconds]: matching(
      /^\d{1,4}$/,
      'whole seconds from 0 to 3600',
      '300',
    )
      .transform(Number)
      .refine(seconds => seconds <= 3600, {
        message: 'must be at most 3600 seconds (an hour), e.g. "300"',
      })
      .default(String(MAX_BUFFER_INTERVAL_SECONDS)),
    [A.measures]: fieldList('numeric', 'amount,latencyMs'),
    [A.dimensions]: fieldList('categorical', 'status,currency'),
  })
  .superRefine((annotations, ctx) => {
    const measures = annotations[A.measures];
    const dimensions = annotations[A.dimensions];
    const timestamp = annotations[A.timestampField];
    const both = [...new Set(measures.filter(m => dimensions.includes(m)))];
    if (both.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [A.dimensions],
        message: `lists ${both.map(quoted).join(', ')}, also in ${
          A.measures
        }; a field is either a measure (numeric) or a dimension (categorical)`,
      });
    }
    for (const key of [A.measures, A.dimensions] as const) {
      if (annotations[key].includes(timestamp)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          message: `lists the timestamp field ${quoted(
            timestamp,
          )}; time is always the x-axis, remove it here`,
        });
      }
    }
  });

const knownAnnotations = new Set<string>(Object.values(A));

/** `[kind:][namespace/]name` → full ref; owners default to kind Group. */
function ownerRefOf(owner: string, namespace: string): string {
  const colon = owner.indexOf(':');
  const kind = colon === -1 ? 'group' : owner.slice(0, colon);
  const rest = colon === -1 ? owner : owner.slice(colon + 1);
  const slash = rest.indexOf('/');
  const ownerNamespace = slash === -1 ? namespace : rest.slice(0, slash);
  const name = slash === -1 ? rest : rest.slice(slash + 1);
  return `${kind.toLocaleLowerCase('en-US')}:${ownerNamespace}/${name}`;
}

/**
 * Reads a stream from its catalog entity (`kind: Resource`, `spec.type:
 * data-stream`, `realtime-insights.io/*` annotations). Never throws: an
 * invalid entity yields every problem found, each naming the annotation or
 * field, what is wrong and an example of a right value.
 *
 * @public
 */
export function parseStreamEntity(
  entity: StreamEntity,
): ParseStreamEntityResult {
  const errors: string[] = [];
  const namespace = entity.metadata.namespace || 'default';
  const name = entity.metadata.name;

  if (entity.kind.toLocaleLowerCase('en-US') !== 'resource') {
    errors.push(
      `kind: is ${quoted(entity.kind)}; a stream is kind ${quoted(
        STREAM_ENTITY_KIND,
      )}`,
    );
  }
  if (entity.spec?.type !== STREAM_ENTITY_TYPE) {
    errors.push(
      `spec.type: is ${quoted(entity.spec?.type)}; a stream has type ${quoted(
        STREAM_ENTITY_TYPE,
      )}`,
    );
  }
  const specOwner = entity.spec?.owner;
  if (typeof specOwner !== 'string' || !specOwner.trim()) {
    errors.push(
      'spec.owner: is missing: set it to the team that owns the stream, e.g. "group:default/payments"',
    );
  }

  const annotations = entity.metadata.annotations ?? {};
  for (const key of Object.keys(annotations)) {
    if (
      key.startsWith(STREAM_ANNOTATION_PREFIX) &&
      !knownAnnotations.has(key)
    ) {
      errors.push(
        `${key}: is not a Real-time Insights annotation; known ones are ${[
          ...knownAnnotations,
        ].join(', ')}`,
      );
    }
  }

  const parsed = streamAnnotationsSchema.safeParse(annotations);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push(
        `${issue.path[0] ?? 'metadata.annotations'}: ${issue.message}`,
      );
    }
  }
  if (errors.length || !parsed.success) {
    return { errors };
  }

  // The catalog resolves spec.owner into an ownedBy relation; prefer it.
  const ownedBy = entity.relations?.find(r => r.type === 'ownedBy')?.targetRef;
  const values = parsed.data;
  return {
    stream: {
      name: namespace === 'default' ? name : `${namespace}/${name}`,
      entityRef: `resource:${namespace}/${name}`,
      title: entity.metadata.title || name,
      ...(entity.metadata.description && {
        description: entity.metadata.description,
      }),
      owner: ownedBy ?? ownerRefOf((specOwner as string).trim(), namespace),
      firehoseStream: values[A.firehoseStream],
      bucket: values[A.bucket],
      prefix: values[A.prefix],
      ...(values[A.region] && { region: values[A.region] }),
      ...(values[A.endpoint] && { endpoint: values[A.endpoint] }),
      timestampField: values[A.timestampField],
      measures: values[A.measures],
      dimensions: values[A.dimensions],
      bufferIntervalSeconds: values[A.bufferIntervalSeconds],
    },
  };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import type { DataClass } from '@internal/plugin-realtime-insights-common';

const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');
/** A ConfigMap holds at most 1 MiB; leave room for the other file. */
const MAX_CATALOG_BYTES = 512 * 1024;

type Entity = {
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string> };
};

/** The file's text and its entities, checked for size and YAML errors. */
function readEntities(
  file: string,
  what: string,
): { text: string; entities: Entity[] } {
  const text = fs.readFileSync(file, 'utf8');
  if (Buffer.byteLength(text) > MAX_CATALOG_BYTES) {
    throw new Error(
      `${what} ${file} is larger than ${MAX_CATALOG_BYTES} bytes; use an org entity provider instead of a file`,
    );
  }
  const entities = parseAllDocuments(text).map(doc => {
    if (doc.errors.length > 0) {
      throw new Error(`${what} ${file}: ${doc.errors[0].message}`);
    }
    return doc.toJS() as Entity;
  });
  return { text, entities };
}

/**
 * The org file for the portal's catalog (`portal.orgCatalogFile`): Users and
 * Groups only, as the portal's catalog rules admit from it.
 */
export function orgCatalogYaml(orgCatalogFile: string): string {
  const file = path.resolve(REPOSITORY_ROOT, orgCatalogFile);
  const { text, entities } = readEntities(file, 'portal.orgCatalogFile');
  const others = entities.filter(e => e.kind !== 'User' && e.kind !== 'Group');
  if (others.length > 0) {
    throw new Error(
      `portal.orgCatalogFile ${file} may hold only User and Group entities, found ${others
        .map(e => `${e.kind} ${e.metadata?.name}`)
        .join(', ')}`,
    );
  }
  return text;
}

/**
 * The stream entities of the deployed platform: examples/streams.yaml (one
 * Resource per data class, its fields and owner) with the Firehose stream
 * and bucket names this deployment created.
 */
export function streamCatalogYaml(names: {
  deliveryStreams: Record<DataClass, string>;
  buckets: Record<DataClass, string>;
  /** How long after its name's time an object can hold records. */
  objectSpanSeconds: Record<DataClass, number>;
}): string {
  const { entities } = readEntities(
    path.join(REPOSITORY_ROOT, 'examples/streams.yaml'),
    'stream catalog',
  );
  const byName = new Map(entities.map(e => [e.metadata?.name, e]));
  return DATA_CLASSES.map(dataClass => {
    const entity = byName.get(dataClass);
    if (!entity?.metadata?.annotations) {
      throw new Error(`examples/streams.yaml has no stream ${dataClass}`);
    }
    entity.metadata.annotations['realtime-insights.io/firehose-stream'] =
      names.deliveryStreams[dataClass];
    entity.metadata.annotations['realtime-insights.io/bucket'] =
      names.buckets[dataClass];
    entity.metadata.annotations[
      'realtime-insights.io/buffer-interval-seconds'
    ] = String(names.objectSpanSeconds[dataClass]);
    return `---\n${stringify(entity)}`;
  }).join('');
}

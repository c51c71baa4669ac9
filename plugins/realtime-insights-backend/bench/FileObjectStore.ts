import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectRef, ObjectStore } from '../src/services/ObjectStore';

/**
 * Objects on local disk under the same keys as in S3: the benchmarks'
 * "without S3" side, and what DuckDB reads.
 */
export class FileObjectStore implements ObjectStore {
  constructor(private readonly dir: string) {}

  async list(
    _bucket: string,
    prefix: string,
    startAfter?: string,
  ): Promise<ObjectRef[]> {
    const dir = path.join(this.dir, prefix);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .map(name => `${prefix}${name}`)
      .filter(key => !startAfter || key > startAfter)
      .sort()
      .map(key => {
        const stat = fs.statSync(path.join(this.dir, key));
        return {
          key,
          etag: `${stat.size}-${stat.mtimeMs}`,
          size: stat.size,
          lastModified: stat.mtimeMs,
        };
      });
  }

  async open(_bucket: string, key: string): Promise<Readable> {
    return fs.createReadStream(path.join(this.dir, key));
  }
}

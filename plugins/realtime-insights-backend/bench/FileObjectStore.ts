import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectRef, ObjectStore } from '../src/services/ObjectStore';

/**
 * Objects on local disk under the same keys as in S3: the benchmarks'
 * "without S3" side, and what DuckDB reads.
 */
export class FileObjectStore implements ObjectStore {
  constructor(
    private readonly dir: string,
    private readonly options: { whole?: boolean } = {},
  ) {}

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

  /**
   * A file stream; with `whole`, the whole file read synchronously, as one
   * chunk (for objects of tens of KiB, as the query benchmark's): it comes
   * from the page cache in microseconds, while a file stream takes three
   * thread-pool round trips (open, read, close), each waking a thread on
   * the cores the object workers use. DuckDB, on the other side of that
   * comparison, reads its files with blocking reads too.
   */
  async open(_bucket: string, key: string): Promise<Readable> {
    const file = path.join(this.dir, key);
    return this.options.whole
      ? Readable.from([fs.readFileSync(file)])
      : fs.createReadStream(file);
  }
}

import {
  promises as fs,
  constants as fsConstants,
  readFileSync,
  rmSync,
} from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from './logger';

/** A record as it is made durable: enough to deliver it after a crash. */
export type WalRecord = {
  stream: string;
  recordId: string;
  /** Arrival time, milliseconds since the epoch. */
  arrival: number;
  data: Buffer;
};

/** A durable record and the segment that holds it. */
export type LoggedRecord = WalRecord & { segment: number };

type Segment = {
  id: number;
  file: string;
  /** Open only while the segment is the active one. */
  handle?: fs.FileHandle;
  bytes: number;
  /** Records written and not yet released (delivered). */
  pending: number;
};

type PendingAppend = {
  frames: Buffer[];
  count: number;
  resolve: (segment: number) => void;
  reject: (error: Error) => void;
};

const SEGMENT_FILE = /^wal-(\d{12})\.log$/;
const FRAME_HEADER_BYTES = 8;
const LOCK_FILE = 'LOCK';

const segmentFileName = (id: number) =>
  `wal-${String(id).padStart(12, '0')}.log`;

/**
 * Frame: u32 payload length, u32 CRC-32 of the payload, payload. The payload
 * is a JSON header line (stream, record id, arrival) followed by the raw
 * record bytes. A torn write at the tail fails the length or CRC check and
 * ends replay of that segment: those records were never acknowledged.
 *
 * Each frame is two buffers for one writev: a small header buffer, then the
 * record's own bytes (not copied; they must not change until written).
 */
function encodeFrames(records: WalRecord[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const record of records) {
    const line = `${JSON.stringify({
      s: record.stream,
      i: record.recordId,
      t: record.arrival,
    })}\n`;
    const header = Buffer.allocUnsafe(
      FRAME_HEADER_BYTES + Buffer.byteLength(line),
    );
    header.write(line, FRAME_HEADER_BYTES, 'utf8');
    const headerLine = header.subarray(FRAME_HEADER_BYTES);
    header.writeUInt32LE(headerLine.length + record.data.length, 0);
    header.writeUInt32LE(crc32(record.data, crc32(headerLine)), 4);
    frames.push(header, record.data);
  }
  return frames;
}

function decodeFrames(
  buffer: Buffer,
  segment: number,
): { records: LoggedRecord[]; tornAt?: number } {
  const records: LoggedRecord[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (offset + FRAME_HEADER_BYTES > buffer.length)
      return { records, tornAt: offset };
    const length = buffer.readUInt32LE(offset);
    const checksum = buffer.readUInt32LE(offset + 4);
    const start = offset + FRAME_HEADER_BYTES;
    const end = start + length;
    if (end > buffer.length) return { records, tornAt: offset };
    const payload = buffer.subarray(start, end);
    if (crc32(payload) !== checksum) return { records, tornAt: offset };
    const newline = payload.indexOf(0x0a);
    const header = JSON.parse(payload.subarray(0, newline).toString('utf8'));
    records.push({
      stream: header.s,
      recordId: header.i,
      arrival: header.t,
      // Copy: the segment's buffer should not be pinned by one record.
      data: Buffer.from(payload.subarray(newline + 1)),
      segment,
    });
    offset = end;
  }
  return { records };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The write-ahead log: records are appended and fsynced before they are
 * acknowledged. Appends that arrive while a sync is running share the next
 * one (group commit). Segments are deleted once every record in them has
 * been released (delivered); the active segment is sealed as soon as it is
 * fully released, so a flush rotates it. The next segment is created (and
 * its directory entry synced) ahead of time, so a rotation never makes a
 * commit wait for a new file.
 */
export class WriteAheadLog {
  private readonly segments = new Map<number, Segment>();
  private active?: Segment;
  /** The next segment, created and synced before it is needed. */
  private spare?: Promise<Segment | undefined>;
  private nextSegmentId: number;
  private queue: PendingAppend[] = [];
  private running?: Promise<void>;
  private runAgain = false;
  private state: 'open' | 'closed' | 'abandoned' = 'open';
  private syncs = 0;

  private constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly maxSegmentBytes: number,
    nextSegmentId: number,
  ) {
    this.nextSegmentId = nextSegmentId;
  }

  /**
   * Opens (creating) the log in `dir`, takes its lock, and returns the
   * records of earlier runs that were never released, oldest first.
   */
  static async open(options: {
    dir: string;
    logger: Logger;
    maxSegmentBytes?: number;
  }): Promise<{ wal: WriteAheadLog; replayed: LoggedRecord[] }> {
    const { dir, logger } = options;
    await fs.mkdir(dir, { recursive: true });
    await WriteAheadLog.lock(dir);
    const ids = (await fs.readdir(dir))
      .map(name => SEGMENT_FILE.exec(name))
      .filter((m): m is RegExpExecArray => Boolean(m))
      .map(m => Number(m[1]))
      .sort((a, b) => a - b);
    const wal = new WriteAheadLog(
      dir,
      logger,
      options.maxSegmentBytes ?? 64 * 1024 * 1024,
      (ids[ids.length - 1] ?? 0) + 1,
    );
    const replayed: LoggedRecord[] = [];
    for (const id of ids) {
      const file = path.join(dir, segmentFileName(id));
      const buffer = await fs.readFile(file);
      const { records, tornAt } = decodeFrames(buffer, id);
      if (tornAt !== undefined) {
        logger.warn('write-ahead log segment has a torn tail; ignoring it', {
          file,
          validBytes: tornAt,
          totalBytes: buffer.length,
        });
      }
      if (records.length === 0) {
        await fs.rm(file, { force: true });
        continue;
      }
      wal.segments.set(id, {
        id,
        file,
        bytes: buffer.length,
        pending: records.length,
      });
      replayed.push(...records);
    }
    wal.activate(await wal.createSegment());
    if (replayed.length) {
      logger.info('replaying write-ahead log', {
        segments: wal.segments.size,
        records: replayed.length,
      });
    }
    return { wal, replayed };
  }

  private static async lock(dir: string) {
    const lockFile = path.join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(lockFile, String(process.pid), { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(readFileSync(lockFile, 'utf8').trim());
        if (holder && isProcessAlive(holder)) {
          throw new Error(
            `write-ahead log directory ${dir} is in use by process ${holder}`,
          );
        }
        // The holder died without cleaning up (a crash): take the lock over.
        await fs.rm(lockFile, { force: true });
      }
    }
    throw new Error(`could not lock write-ahead log directory ${dir}`);
  }

  /** Makes records durable; resolves with the segment that holds them. */
  append(records: WalRecord[]): Promise<number> {
    if (this.state !== 'open') {
      return Promise.reject(new Error('write-ahead log is closed'));
    }
    const frames = encodeFrames(records);
    return new Promise((resolve, reject) => {
      this.queue.push({ frames, count: records.length, resolve, reject });
      this.kick();
    });
  }

  /** Marks records delivered; segments holding only delivered records go. */
  release(records: Array<{ segment: number }>) {
    if (this.state === 'abandoned') return;
    const counts = new Map<number, number>();
    for (const { segment } of records) {
      counts.set(segment, (counts.get(segment) ?? 0) + 1);
    }
    for (const [id, count] of counts) {
      const segment = this.segments.get(id);
      if (!segment) continue;
      segment.pending = Math.max(0, segment.pending - count);
    }
    this.kick();
  }

  stats() {
    let segments = 0;
    let bytes = 0;
    let pendingRecords = 0;
    for (const segment of this.segments.values()) {
      if (segment.bytes > 0) segments++;
      bytes += segment.bytes;
      pendingRecords += segment.pending;
    }
    return {
      /** Segment files holding records. */
      segments,
      bytes,
      pendingRecords,
      syncs: this.syncs,
    };
  }

  /** Waits for queued appends, drops delivered segments, releases the lock. */
  async close() {
    if (this.state !== 'open') return;
    this.kick();
    while (this.running) await this.running;
    this.state = 'closed';
    await this.sealActive();
    const spare = await this.spare;
    this.spare = undefined;
    if (spare) {
      await spare.handle?.close();
      await fs.rm(spare.file, { force: true });
    }
    await fs.rm(path.join(this.dir, LOCK_FILE), { force: true });
  }

  /**
   * Test hook simulating a crash: stops writing at once, keeps every file as
   * it is, fails queued appends (never acknowledged) and drops the lock as a
   * dead process would.
   */
  abandon() {
    if (this.state !== 'open') return;
    this.state = 'abandoned';
    for (const pending of this.queue.splice(0)) {
      pending.reject(new Error('write-ahead log abandoned'));
    }
    void this.active?.handle?.close().catch(() => {});
    this.active = undefined;
    void this.spare?.then(spare => spare?.handle?.close()).catch(() => {});
    this.spare = undefined;
    // Synchronously, so a restart right after sees the lock gone.
    rmSync(path.join(this.dir, LOCK_FILE), { force: true });
  }

  private kick() {
    if (this.running) {
      this.runAgain = true;
      return;
    }
    // setImmediate lets appends from requests handled in the same turn of
    // the event loop join one commit.
    this.running = new Promise<void>(resolve => setImmediate(resolve))
      .then(() => this.run())
      .finally(() => {
        this.running = undefined;
        if (this.runAgain) {
          this.runAgain = false;
          this.kick();
        }
      });
  }

  private async run() {
    do {
      this.runAgain = false;
      await this.dropReleasedSegments();
      if (this.state !== 'open' || this.queue.length === 0) continue;
      const batch = this.queue.splice(0);
      try {
        const segment = await this.activeSegment();
        const frames = batch.flatMap(b => b.frames);
        // Durable when it returns: the file is opened with O_DSYNC.
        await this.writeAll(segment, frames);
        this.syncs++;
        segment.bytes += frames.reduce((n, f) => n + f.length, 0);
        segment.pending += batch.reduce((n, b) => n + b.count, 0);
        for (const pending of batch) pending.resolve(segment.id);
      } catch (error) {
        this.logger.error('write-ahead log append failed', {
          error: String(error),
        });
        // The segment may now end in a partial frame: seal it so later
        // records go to a fresh file and replay stays readable.
        await this.sealActive();
        for (const pending of batch) pending.reject(error as Error);
      }
    } while (this.runAgain || (this.state === 'open' && this.queue.length));
  }

  /** One writev for the frames of a whole group (no concatenation). */
  private async writeAll(segment: Segment, buffers: Buffer[]) {
    const size = buffers.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await segment.handle!.writev(buffers);
    if (bytesWritten === size) return;
    // A short write (rare on files): write the rest from where it stopped.
    const rest = Buffer.concat(buffers).subarray(bytesWritten);
    let offset = 0;
    while (offset < rest.length) {
      const written = await segment.handle!.write(
        rest,
        offset,
        rest.length - offset,
      );
      offset += written.bytesWritten;
    }
  }

  private async activeSegment(): Promise<Segment> {
    if (this.active && this.active.bytes >= this.maxSegmentBytes) {
      await this.sealActive();
    }
    if (!this.active) {
      const spare = await this.spare;
      this.spare = undefined;
      this.activate(spare ?? (await this.createSegment()));
    }
    return this.active!;
  }

  private activate(segment: Segment) {
    this.active = segment;
    this.segments.set(segment.id, segment);
    if (!this.spare) {
      this.spare = this.createSegment().catch(error => {
        this.logger.warn('could not create the next write-ahead log segment', {
          error: String(error),
        });
        return undefined;
      });
    }
  }

  /** A new, empty segment file whose directory entry is already durable. */
  private async createSegment(): Promise<Segment> {
    const id = this.nextSegmentId++;
    const file = path.join(this.dir, segmentFileName(id));
    const handle = await fs.open(
      file,
      // O_DSYNC: each write returns once its data is on disk, as a write
      // followed by fdatasync would, in one system call (one trip through
      // the thread pool per group instead of two).
      fsConstants.O_WRONLY |
        fsConstants.O_CREAT |
        fsConstants.O_APPEND |
        fsConstants.O_DSYNC,
    );
    try {
      await this.syncDirectory();
    } catch (error) {
      await handle.close();
      throw error;
    }
    return { id, file, handle, bytes: 0, pending: 0 };
  }

  private async sealActive() {
    const segment = this.active;
    if (!segment) return;
    this.active = undefined;
    await segment.handle?.close().catch(() => {});
    segment.handle = undefined;
    if (segment.pending === 0 && segment.bytes === 0) {
      this.segments.delete(segment.id);
      await fs.rm(segment.file, { force: true });
    }
  }

  /** Deletes every segment whose records have all been delivered. */
  private async dropReleasedSegments() {
    if (this.state === 'abandoned') return;
    // Only between commits: the active segment is not being written now.
    if (this.active && this.active.pending === 0 && this.active.bytes > 0) {
      await this.sealActive();
    }
    for (const segment of [...this.segments.values()]) {
      if (segment === this.active || segment.pending > 0) continue;
      this.segments.delete(segment.id);
      try {
        await fs.rm(segment.file, { force: true });
      } catch (error) {
        this.logger.warn('could not delete write-ahead log segment', {
          file: segment.file,
          error: String(error),
        });
      }
    }
  }

  private async syncDirectory() {
    const handle = await fs.open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

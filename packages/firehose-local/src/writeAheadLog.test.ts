import {
  appendFileSync,
  constants as fsConstants,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from './logger';
import { WriteAheadLog } from './writeAheadLog';
import { tempDir } from './__testUtils__/records';

const record = (i: number, stream = 's') => ({
  stream,
  recordId: `id-${i}`,
  arrival: 1_700_000_000_000 + i,
  data: Buffer.from(`data-${i}\n\u0000binary`),
});

const segmentFiles = (dir: string) =>
  readdirSync(dir)
    .filter(f => f.endsWith('.log'))
    .sort();

/** Segment files holding records (the next one waits empty). */
const usedSegmentFiles = (dir: string) =>
  segmentFiles(dir).filter(f => statSync(path.join(dir, f)).size > 0);

/** open(2) flags of this process's descriptors on `file` (Linux). */
const openFlags = (file: string) =>
  readdirSync('/proc/self/fd')
    .filter(fd => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    })
    .map(fd =>
      parseInt(
        /flags:\s+([0-7]+)/.exec(
          readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'),
        )![1],
        8,
      ),
    );

describe('WriteAheadLog', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = tempDir('wal-unit');
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0))
      rmSync(dir, { recursive: true, force: true });
  });

  it('replays unreleased records after an abandoned run', async () => {
    const dir = newDir();
    const { wal, replayed } = await WriteAheadLog.open({
      dir,
      logger: silentLogger,
    });
    expect(replayed).toEqual([]);
    const segment = await wal.append([record(1), record(2)]);
    await wal.append([record(3, 'other')]);
    wal.abandon();

    const reopened = await WriteAheadLog.open({ dir, logger: silentLogger });
    expect(reopened.replayed).toEqual([
      { ...record(1), segment },
      { ...record(2), segment },
      { ...record(3, 'other'), segment },
    ]);
    await reopened.wal.close();
  });

  it('shares one sync between concurrent appends (group commit)', async () => {
    const { wal } = await WriteAheadLog.open({
      dir: newDir(),
      logger: silentLogger,
    });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => wal.append([record(i)])),
    );
    expect(wal.stats().syncs).toBeLessThan(50);
    expect(wal.stats().pendingRecords).toBe(50);
    await wal.close();
  });

  it('deletes segments once all their records are released', async () => {
    const dir = newDir();
    const { wal } = await WriteAheadLog.open({
      dir,
      logger: silentLogger,
      maxSegmentBytes: 1,
    });
    const a = await wal.append([record(1)]);
    const b = await wal.append([record(2)]);
    expect(a).not.toBe(b); // rotated by size
    expect(usedSegmentFiles(dir)).toHaveLength(2);
    wal.release([{ segment: a }]);
    await wal.close();
    // The unused next segment goes with close.
    expect(segmentFiles(dir)).toHaveLength(1);

    const reopened = await WriteAheadLog.open({ dir, logger: silentLogger });
    expect(reopened.replayed.map(r => r.recordId)).toEqual(['id-2']);
    reopened.wal.release(reopened.replayed);
    await reopened.wal.close();
    expect(segmentFiles(dir)).toEqual([]);
  });

  it('rotates the active segment when everything in it is delivered', async () => {
    const dir = newDir();
    const { wal } = await WriteAheadLog.open({ dir, logger: silentLogger });
    const segment = await wal.append([record(1), record(2)]);
    wal.release([{ segment }, { segment }]);
    const next = await wal.append([record(3)]);
    expect(next).toBeGreaterThan(segment);
    expect(usedSegmentFiles(dir)).toHaveLength(1);
    await wal.close();
  });

  it('creates the next segment before the active one is full', async () => {
    const dir = newDir();
    const { wal } = await WriteAheadLog.open({
      dir,
      logger: silentLogger,
      maxSegmentBytes: 1,
    });
    const first = await wal.append([record(1)]);
    // Rotation is due; the file it will go to exists already, empty.
    const waiting = segmentFiles(dir).filter(
      f => statSync(path.join(dir, f)).size === 0,
    );
    expect(waiting).toEqual([expect.stringMatching(/^wal-\d{12}\.log$/)]);
    const second = await wal.append([record(2)]);
    expect(second).toBeGreaterThan(first);
    expect(waiting).toContain(`wal-${String(second).padStart(12, '0')}.log`);
    await wal.close();
  });

  (process.platform === 'linux' ? describe : describe.skip)('on Linux', () => {
    it('writes segments with O_DSYNC: durable when the write returns', async () => {
      const dir = newDir();
      const { wal } = await WriteAheadLog.open({ dir, logger: silentLogger });
      const segment = await wal.append([record(1)]);
      const file = path.join(
        dir,
        `wal-${String(segment).padStart(12, '0')}.log`,
      );
      const flags = openFlags(file);
      expect(flags).toHaveLength(1);
      expect(flags[0] & fsConstants.O_DSYNC).toBe(fsConstants.O_DSYNC);
      await wal.close();
    });
  });

  it('ignores a torn tail', async () => {
    const dir = newDir();
    const { wal } = await WriteAheadLog.open({ dir, logger: silentLogger });
    await wal.append([record(1)]);
    wal.abandon();
    const [file] = segmentFiles(dir);
    appendFileSync(path.join(dir, file), Buffer.from([0x20, 0, 0, 0, 1, 2]));
    const warnings: string[] = [];
    const reopened = await WriteAheadLog.open({
      dir,
      logger: { ...silentLogger, warn: m => warnings.push(m) },
    });
    expect(reopened.replayed.map(r => r.recordId)).toEqual(['id-1']);
    expect(warnings).toEqual([expect.stringMatching(/torn tail/)]);
    await reopened.wal.close();
  });

  it('refuses a directory locked by a live process', async () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'LOCK'), String(process.pid));
    await expect(
      WriteAheadLog.open({ dir, logger: silentLogger }),
    ).rejects.toThrow(/in use by process/);
    // A dead holder's lock is taken over.
    writeFileSync(path.join(dir, 'LOCK'), '999999999');
    const { wal } = await WriteAheadLog.open({ dir, logger: silentLogger });
    await wal.close();
  });
});

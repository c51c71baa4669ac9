import { Readable } from 'node:stream';
import { SummaryShape, summariseObject } from './summariseObject';
import { ObjectSummary, decodeSummary, summaryHealth } from './summary';

/**
 * An object's summary as the engine holds it: decoded, or encoded as the
 * cache keeps it (as worker threads make it), or both. An encoded one is
 * decoded on first use only: a closed hour's object summaries go to its
 * rollup encoded, and this thread never decodes them.
 */
export class SummarisedObject {
  private decoded: ObjectSummary | undefined;

  private constructor(
    /** The cache encoding, when the summary was made or read encoded. */
    readonly encoded: Buffer | undefined,
    decoded: ObjectSummary | undefined,
  ) {
    this.decoded = decoded;
  }

  static of(summary: ObjectSummary, encoded?: Buffer): SummarisedObject {
    return new SummarisedObject(encoded, summary);
  }

  /** A summary this code encoded (a worker's): decoded when first asked for. */
  static encoded(encoded: Buffer): SummarisedObject {
    return new SummarisedObject(encoded, undefined);
  }

  get summary(): ObjectSummary {
    if (!this.decoded) {
      const decoded = decodeSummary(this.encoded!);
      if (!decoded) {
        throw new Error(
          'An object summary made by an object worker could not be decoded',
        );
      }
      this.decoded = decoded;
    }
    return this.decoded;
  }

  /** Whether the object was corrupt, and its unreadable lines: not decoded for it. */
  get health(): { corrupt: boolean; badLines: number } {
    return (
      (!this.decoded && this.encoded && summaryHealth(this.encoded)) ||
      this.summary
    );
  }
}

/** Where objects are summarised: this thread, or worker threads. */
export interface ObjectSummarisers {
  summarise(
    body: Readable | Buffer,
    size: number,
    shape: SummaryShape,
  ): Promise<SummarisedObject>;
  /**
   * Set when objects up to `maxBytes` (stored) are summarised from their
   * whole bytes (worker threads): the engine then downloads them within
   * the query's bound on object reads and summarises them outside it, with
   * up to `inFlight` more objects under way than that bound, so that the
   * downloads do not wait for the CPU nor the CPU for the downloads.
   */
  readonly wholeObjects?: { maxBytes: number; inFlight: number };
  /**
   * Rolls up a closed hour's encoded object summaries (earliest first) off
   * this thread: the encoded rollup, the bytes `encodeSummary(rollUp(...))`
   * gives, or undefined when it could not be done there.
   */
  rollUp?(summaries: Buffer[]): Promise<Buffer | undefined>;
}

/** Summarises on the calling thread: gunzip on libuv's pool, the rest here. */
export class InProcessSummarisers implements ObjectSummarisers {
  async summarise(body: Readable | Buffer, _size: number, shape: SummaryShape) {
    return SummarisedObject.of(await summariseObject(body, shape));
  }
}

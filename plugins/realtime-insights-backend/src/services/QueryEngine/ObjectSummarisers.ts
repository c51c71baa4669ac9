import { Readable } from 'node:stream';
import { SummaryShape, summariseObject } from './summariseObject';
import { ObjectSummary } from './summary';

/** An object's summary, and its cache encoding when it was made encoded. */
export type SummarisedObject = { summary: ObjectSummary; encoded?: Buffer };

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
}

/** Summarises on the calling thread: gunzip on libuv's pool, the rest here. */
export class InProcessSummarisers implements ObjectSummarisers {
  async summarise(body: Readable | Buffer, _size: number, shape: SummaryShape) {
    return { summary: await summariseObject(body, shape) };
  }
}

import { Readable } from 'node:stream';
import { SummaryShape, summariseObject } from './summariseObject';
import { ObjectSummary } from './summary';

/** An object's summary, and its cache encoding when it was made encoded. */
export type SummarisedObject = { summary: ObjectSummary; encoded?: Buffer };

/** Where objects are summarised: this thread, or worker threads. */
export interface ObjectSummarisers {
  summarise(
    body: Readable,
    size: number,
    shape: SummaryShape,
  ): Promise<SummarisedObject>;
}

/** Summarises on the calling thread: gunzip on libuv's pool, the rest here. */
export class InProcessSummarisers implements ObjectSummarisers {
  async summarise(body: Readable, _size: number, shape: SummaryShape) {
    return { summary: await summariseObject(body, shape) };
  }
}

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * How much lower than the API's thread background threads run (a nice
 * value): acknowledgements wait on the event loop and the write-ahead log;
 * delivery only has to keep up within the buffering interval.
 */
export const BACKGROUND_NICE = 10;

// On Linux a nice value belongs to a thread: setpriority(2) with a thread id
// changes that thread only. Elsewhere these do nothing.

/** Lowers the priority of the calling thread only. */
export function lowerThisThreadsPriority(nice = BACKGROUND_NICE) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, nice);
  } catch {
    // Not Linux, or not allowed: normal priority.
  }
}

/**
 * Lowers the priority of V8's helper threads in this process (Node names
 * them `V8Worker`): concurrent and parallel garbage collection — most of it
 * for the delivery worker's heap, whose thread runs low already — and
 * background compilation. For a process of its own only: in a host
 * process it would slow the host's garbage collection too.
 */
export function lowerV8HelperThreadsPriority(nice = BACKGROUND_NICE): number {
  let lowered = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      if (name !== 'V8Worker') continue;
      setPriority(Number(tid), nice);
      lowered++;
    }
  } catch {
    // Not Linux, or not allowed: normal priority.
  }
  return lowered;
}

import path from 'node:path';

/** Why the native summariser left an object to the TypeScript one. */
export enum Declined {
  /** Corrupt, truncated, several gzip members, or too large whole. */
  Compression = 1,
  /** A line that is not a flat JSON object read in place. */
  Line = 2,
  /** A timestamp not in the form YYYY-MM-DDTHH:MM:SS.sssZ. */
  Time = 3,
  /** A number or dimension text whose JavaScript form is not its bytes. */
  Value = 4,
  /** A quantile sketch that would fold its lowest bins. */
  Sketch = 5,
  Memory = 6,
}

/** Why the native rollup left a closed hour to the TypeScript. */
export enum RollupDeclined {
  /** A summary not read as the JavaScript reads it (or not valid). */
  Format = 1,
  /** A merged quantile sketch that would fold its lowest bins. */
  Sketch = 2,
  Memory = 3,
  /** Events over more than 1,024 minutes and hours (clocks far off). */
  Spread = 4,
}

/** The addon's functions (see `src/native/binding.c`). */
export type NativeSummariser = {
  /**
   * The encoded summary of one object, or why it is declined. `spec` is
   * the fields to read, as the backend plugin's `nativeSummaries.ts`
   * encodes them.
   */
  summarise(body: Uint8Array, spec: Uint8Array): Buffer | Declined;
  /**
   * The encoded rollup of object summaries (earliest first), each packed
   * as a u32 LE length and its bytes, or why it is declined: byte for byte
   * the backend plugin's `encodeSummary(rollUp(summaries))`.
   */
  rollUp(packed: Uint8Array): Buffer | RollupDeclined;
  /** Math.log as V8 computes it, here: for the tests. */
  jsLog(values: Float64Array): Float64Array;
  /** The CRC-32 that checks gzip members and sketches, here: for the tests. */
  crc32(bytes: Uint8Array): number;
};

let loaded: { addon?: NativeSummariser; error?: string } | undefined;

/** Where the install step builds the addon. */
export function addonPath(): string {
  return path.join(
    path.dirname(require.resolve('@internal/native-summariser/package.json')),
    'build',
    'Release',
    'rti_native_summariser.node',
  );
}

/**
 * The addon, or undefined (with `nativeSummariserError()` saying why) when
 * it was not built here or cannot load. Loaded once per thread.
 */
export function nativeSummariser(): NativeSummariser | undefined {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = { addon: require(addonPath()) as NativeSummariser };
    } catch (error) {
      loaded = {
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
  return loaded.addon;
}

/** Why `nativeSummariser()` gave nothing; undefined when it loaded. */
export function nativeSummariserError(): string | undefined {
  nativeSummariser();
  return loaded?.error;
}

/** The structured logger firehose-local writes to (Backstage's fits). */
export interface Logger {
  /** Per-delivery detail; optional, most embedders leave it out. */
  debug?(message: string, meta?: object): void;
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
}

/** Discards everything; the default when no logger is given. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};

/** One JSON object per line on stderr; what the CLI uses. */
export function jsonLinesLogger(
  write: (line: string) => void = line => process.stderr.write(line),
): Logger {
  const log = (level: string) => (message: string, meta?: object) =>
    write(
      `${JSON.stringify({
        time: new Date().toISOString(),
        level,
        service: 'firehose-local',
        message,
        ...meta,
      })}\n`,
    );
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

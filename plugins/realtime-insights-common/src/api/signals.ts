/**
 * The signals channel on which the backend nudges open charts of a stream
 * when new objects landed. The message carries no data: clients re-fetch
 * over REST, which enforces permissions.
 *
 * @public
 */
export function streamSignalChannel(streamName: string): string {
  return `realtime-insights:stream:${streamName}`;
}

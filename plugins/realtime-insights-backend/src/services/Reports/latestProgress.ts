/**
 * Hands progress reported synchronously (by the query engine, many times a
 * second) to an asynchronous recorder one at a time: while one is being
 * recorded only the latest waits, so updates neither pile up nor lose the
 * final value. The recorder's first failure (a cancel, a lost claim) stops
 * the hand-over, and `settled` rejects with it.
 */
export function latestProgress<T>(
  record: (progress: T) => void | Promise<void>,
): { report(progress: T): void; settled(): Promise<void> } {
  let next: { progress: T } | undefined;
  let recording: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;

  const drain = async () => {
    while (next && !failure) {
      const { progress } = next;
      next = undefined;
      try {
        await record(progress);
      } catch (error) {
        failure = { error };
      }
    }
    recording = undefined;
  };

  return {
    report(progress) {
      if (failure) return;
      next = { progress };
      recording ??= drain();
    },
    async settled() {
      await recording;
      if (failure) throw failure.error;
    },
  };
}

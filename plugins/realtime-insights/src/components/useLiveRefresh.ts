import { useCallback, useEffect, useState } from 'react';
import useInterval from 'react-use/esm/useInterval';
import { useSignal } from '@backstage/plugin-signals-react';
import { streamSignalChannel } from '@internal/plugin-realtime-insights-common';

/** How often live views re-fetch when the portal has no signals. */
export const REFRESH_INTERVAL_MS = 10_000;
/** With signals, a slow poll only as a safety net. */
export const SAFETY_POLL_MS = 60_000;

export type LiveRefresh = {
  /** When the view last asked to refresh: ranges ending "now" end here. */
  refreshedAt: number;
  /** Re-fetch now (the refresh button, a new range). */
  refresh: () => void;
  /** How live updates arrive: the backend's signals or polling. */
  mode: 'signals' | 'polling';
};

/**
 * Re-fetch triggers for a stream's live views. The backend nudges over
 * signals when new objects land; the data itself is re-fetched over REST,
 * which checks permissions. Without signals, it polls.
 */
export function useLiveRefresh(stream: string, enabled: boolean): LiveRefresh {
  const [refreshedAt, setRefreshedAt] = useState(() => Date.now());
  const refresh = useCallback(() => setRefreshedAt(Date.now()), []);
  const { lastSignal, isSignalsAvailable } = useSignal(
    streamSignalChannel(stream),
  );
  useEffect(() => {
    if (lastSignal && enabled) refresh();
  }, [lastSignal, enabled, refresh]);
  const pollMs = isSignalsAvailable ? SAFETY_POLL_MS : REFRESH_INTERVAL_MS;
  useInterval(refresh, enabled ? pollMs : null);
  return {
    refreshedAt,
    refresh,
    mode: isSignalsAvailable ? 'signals' : 'polling',
  };
}

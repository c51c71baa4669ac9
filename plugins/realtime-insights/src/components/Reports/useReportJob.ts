import { useApi } from '@backstage/frontend-plugin-api';
import { ReportJob } from '@internal/plugin-realtime-insights-common';
import { useEffect, useState } from 'react';
import { backendError } from '../backendError';
import { realtimeInsightsReportsApiRef } from './reportsApi';

/** How often a running job is asked for its progress. */
export const REPORT_POLL_MS = 1000;

export const isActive = (job: ReportJob) =>
  job.status === 'queued' || job.status === 'running';

/**
 * A report job, re-fetched while it is queued or running. `update`
 * replaces it (after cancel or retry), which restarts the polling.
 */
export function useReportJob(initial: ReportJob) {
  const api = useApi(realtimeInsightsReportsApiRef);
  const [job, setJob] = useState(initial);
  const [error, setError] = useState<Error>();

  useEffect(() => {
    if (!isActive(job)) return undefined;
    let stopped = false;
    const timer = setTimeout(() => {
      api.getReport(job.id).then(
        next => {
          if (stopped) return;
          setError(undefined);
          setJob(next);
        },
        e => {
          if (stopped) return;
          setError(backendError(e));
          // Keep polling: the backend may answer again in a moment.
          setJob(current => ({ ...current }));
        },
      );
    }, REPORT_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, job]);

  return { job, error, update: setJob };
}

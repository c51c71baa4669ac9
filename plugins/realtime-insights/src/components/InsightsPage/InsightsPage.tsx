import {
  Content,
  ContentHeader,
  EmptyState,
  ErrorPanel,
  Header,
  InfoCard,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { useSignal } from '@backstage/plugin-signals-react';
import { streamSignalChannel } from '@internal/plugin-realtime-insights-common';
import { realtimeInsightsApiRef } from '../../api';
import { RecordCountChart } from '../RecordCountChart';
import { backendError } from '../backendError';

/** How often the chart re-fetches when the portal has no signals. */
export const REFRESH_INTERVAL_MS = 10_000;
/** With signals, a slow poll only as a safety net. */
const SAFETY_POLL_MS = 60_000;

function StreamCounts({ stream }: { stream: string }) {
  const api = useApi(realtimeInsightsApiRef);
  const counts = useAsyncRetry(
    () => api.getTimeSeries(stream, { bucket: '1m' }),
    [api, stream],
  );
  // The backend nudges over signals when new objects land; the data itself
  // is re-fetched over REST, which checks permissions.
  const { lastSignal, isSignalsAvailable } = useSignal(
    streamSignalChannel(stream),
  );
  const { retry } = counts;
  useEffect(() => {
    if (lastSignal) retry();
  }, [lastSignal, retry]);
  useInterval(retry, isSignalsAvailable ? SAFETY_POLL_MS : REFRESH_INTERVAL_MS);

  if (counts.error && !counts.value) {
    return (
      <ErrorPanel
        title="Could not load record counts"
        error={backendError(counts.error)}
      />
    );
  }
  if (!counts.value) return <Progress />;

  const { buckets, stats } = counts.value;
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  return (
    <InfoCard
      title="Records per minute"
      subheader={`Last 30 minutes · ${total.toLocaleString()} records · ${
        isSignalsAvailable
          ? 'live'
          : `refreshes every ${REFRESH_INTERVAL_MS / 1000} s`
      }`}
    >
      <RecordCountChart buckets={buckets} />
      <Typography variant="caption" color="textSecondary">
        {stats.objects} objects read ({stats.objectsFromCache} from cache)
        {stats.corruptObjects
          ? ` · ${stats.corruptObjects} corrupt objects skipped`
          : ''}
        {stats.cacheDegraded ? ' · cache unavailable, reading S3 directly' : ''}
      </Typography>
    </InfoCard>
  );
}

/** The insights page: pick a stream, see its records per minute, live. */
export function InsightsPage() {
  const api = useApi(realtimeInsightsApiRef);
  const streams = useAsync(() => api.listStreams(), [api]);
  const [selected, setSelected] = useState<string>();

  useEffect(() => {
    if (!selected && streams.value?.items.length) {
      setSelected(streams.value.items[0].name);
    }
  }, [selected, streams.value]);

  let body;
  if (streams.loading) {
    body = <Progress />;
  } else if (streams.error) {
    body = (
      <ErrorPanel
        title="Could not load streams"
        error={backendError(streams.error)}
      />
    );
  } else if (!streams.value?.items.length) {
    body = (
      <EmptyState
        missing="data"
        title="No streams yet"
        description="Register a stream in the catalog: a Resource of type data-stream with the realtime-insights.io annotations (see the plugin README), owned by your team."
      />
    );
  } else {
    body = (
      <>
        <ContentHeader title="Stream">
          <FormControl
            variant="outlined"
            size="small"
            style={{ minWidth: 240 }}
          >
            <InputLabel id="rti-stream-label">Stream</InputLabel>
            <Select
              labelId="rti-stream-label"
              label="Stream"
              value={selected ?? ''}
              onChange={e => setSelected(e.target.value as string)}
            >
              {streams.value.items.map(s => (
                <MenuItem key={s.name} value={s.name}>
                  {s.title}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </ContentHeader>
        {selected && <StreamCounts stream={selected} />}
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Real-time Insights"
        subtitle="Live records from the Firehose streams"
      />
      <Content>{body}</Content>
    </Page>
  );
}

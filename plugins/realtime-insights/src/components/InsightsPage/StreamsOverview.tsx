import {
  Content,
  ContentHeader,
  ErrorPanel,
  Header,
  InfoCard,
  Link,
  Page,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  FreshnessResponse,
  StreamSummary,
  realtimeInsightsAdminPermission,
} from '@internal/plugin-realtime-insights-common';
import { Button, Grid, Typography } from '@material-ui/core';
import SettingsIcon from '@material-ui/icons/Settings';
import { usePermission } from '@backstage/plugin-permission-react';
import Skeleton from '@material-ui/lab/Skeleton';
import { useState } from 'react';
import { Link as RouterLink, useResolvedPath } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useInterval from 'react-use/esm/useInterval';
import { realtimeInsightsApiRef } from '../../api';
import { backendError } from '../backendError';
import { formatDuration } from '../StreamDashboard/timeRange';
import { ChartSkeleton, RegisterStreamEmptyState } from '../StreamStates';
import { useLiveRefresh } from '../useLiveRefresh';
import { Fact } from '../Fact';

/** A stream whose newest event is older than this is shown as stale. */
export const STALE_AFTER_SECONDS = 5 * 60;

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useInterval(() => setNow(Date.now()), intervalMs);
  return now;
}

const ageSeconds = (iso: string, now: number) => (now - Date.parse(iso)) / 1000;

function FreshnessStatus(props: { freshness: FreshnessResponse; now: number }) {
  const { newestEventAt } = props.freshness;
  if (!newestEventAt) {
    return <StatusPending>No events in the last two hours</StatusPending>;
  }
  const age = ageSeconds(newestEventAt, props.now);
  if (age > STALE_AFTER_SECONDS) {
    return (
      <StatusWarning>
        Stale: newest event {formatDuration(age)} ago
      </StatusWarning>
    );
  }
  return <StatusOK>Fresh</StatusOK>;
}

/** A stream with its freshness, kept live, and a link to its dashboard. */
function StreamCard(props: { stream: StreamSummary }) {
  const { stream } = props;
  const api = useApi(realtimeInsightsApiRef);
  const { refreshedAt } = useLiveRefresh(stream.name, true);
  const freshness = useAsync(
    () => api.getFreshness(stream.name),
    [api, stream.name, refreshedAt],
  );
  const now = useNow(5_000);
  const dashboardPath = useResolvedPath(
    `streams/${encodeURIComponent(stream.name)}`,
  ).pathname;

  let facts;
  if (freshness.error) {
    facts = (
      <Typography color="error" variant="body2">
        Freshness unavailable: {backendError(freshness.error).message}
      </Typography>
    );
  } else if (!freshness.value) {
    facts = <Skeleton variant="rect" height={48} />;
  } else {
    const f = freshness.value;
    facts = (
      <>
        <FreshnessStatus freshness={f} now={now} />
        <Grid container spacing={1} style={{ marginTop: 8 }}>
          <Fact
            sm={4}
            label="Newest event"
            testId="newest-event-age"
            value={
              f.newestEventAt
                ? `${formatDuration(ageSeconds(f.newestEventAt, now))} ago`
                : '–'
            }
          />
          <Fact
            sm={4}
            label="Since last delivery"
            testId="delivery-lag"
            value={
              f.newestArrivalAt
                ? formatDuration(ageSeconds(f.newestArrivalAt, now))
                : '–'
            }
          />
          <Fact
            sm={4}
            label="Events, last hour"
            testId="events-last-hour"
            value={f.eventsLastHour.toLocaleString()}
          />
        </Grid>
      </>
    );
  }

  const owner = stream.owner ? parseEntityRef(stream.owner).name : undefined;
  return (
    <InfoCard
      title={<Link to={dashboardPath}>{stream.title}</Link>}
      subheader={[stream.description, owner && `Owned by ${owner}`]
        .filter(Boolean)
        .join(' · ')}
      deepLink={{ title: 'Open dashboard', link: dashboardPath }}
    >
      <div data-testid={`stream-card-${stream.name}`}>{facts}</div>
    </InfoCard>
  );
}

/** A way to the admin page, for those who may administer. */
function AdminLink() {
  const { allowed } = usePermission({
    permission: realtimeInsightsAdminPermission,
  });
  if (!allowed) return null;
  return (
    <Button
      component={RouterLink}
      to="admin"
      variant="outlined"
      color="inherit"
      startIcon={<SettingsIcon />}
    >
      Admin
    </Button>
  );
}

/** All streams the user may read, each with its freshness at a glance. */
export function StreamsOverview() {
  const api = useApi(realtimeInsightsApiRef);
  const streams = useAsync(() => api.listStreams(), [api]);

  let body;
  if (streams.loading) {
    body = <ChartSkeleton height={120} />;
  } else if (streams.error) {
    body = (
      <ErrorPanel
        title="Could not load streams"
        error={backendError(streams.error)}
      />
    );
  } else if (!streams.value?.items.length) {
    body = <RegisterStreamEmptyState />;
  } else {
    body = (
      <>
        <ContentHeader title="Streams">
          <Typography variant="body2" color="textSecondary">
            The streams you may read. Pick one to open its dashboard.
          </Typography>
        </ContentHeader>
        <Grid container spacing={3}>
          {streams.value.items.map(s => (
            <Grid item xs={12} md={6} lg={4} key={s.name}>
              <StreamCard stream={s} />
            </Grid>
          ))}
        </Grid>
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Real-time Insights"
        subtitle="Live records from the Firehose streams"
      >
        <AdminLink />
      </Header>
      <Content>{body}</Content>
    </Page>
  );
}

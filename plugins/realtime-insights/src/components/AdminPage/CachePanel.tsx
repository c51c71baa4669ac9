import {
  ErrorPanel,
  InfoCard,
  Progress,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CacheStats } from '@internal/plugin-realtime-insights-common';
import { Box, Button, Grid } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { backendError } from '../backendError';
import { ConfirmDialog } from './ConfirmDialog';
import { realtimeInsightsAdminApiRef } from './adminApi';
import { Fact } from '../Fact';

/** Bytes as KiB, MiB, GiB. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toLocaleString(undefined, {
    maximumFractionDigits: unit ? 1 : 0,
  })} ${units[unit]}`;
}

const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`;
const count = (n: number | null) => (n === null ? '–' : n.toLocaleString());

function CacheState(props: { stats: CacheStats }) {
  const { stats } = props;
  if (stats.degraded) {
    return (
      <StatusWarning>
        Redis is not answering: queries read S3 directly (degraded)
      </StatusWarning>
    );
  }
  return (
    <StatusOK>
      {stats.kind === 'redis'
        ? 'Redis answering'
        : 'In-process cache (no Redis): per replica'}
    </StatusOK>
  );
}

/** Size and hit rate of the summary cache, and flushing all of it. */
export function CachePanel() {
  const api = useApi(realtimeInsightsAdminApiRef);
  const stats = useAsyncRetry(() => api.getCacheStats(), [api]);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<Error>();

  const flushAll = async () => {
    setConfirming(false);
    setError(undefined);
    try {
      const { deleted } = await api.flushCache({ all: true });
      setNotice(`Flushed ${deleted.toLocaleString()} cached entries.`);
      stats.retry();
    } catch (e) {
      setError(backendError(e as Error));
    }
  };

  let body;
  if (stats.error) {
    body = (
      <ErrorPanel
        title="Could not read the cache's statistics"
        error={backendError(stats.error)}
      />
    );
  } else if (!stats.value) {
    body = <Progress />;
  } else {
    const s = stats.value;
    const redis = s.kind === 'redis';
    body = (
      <>
        <CacheState stats={s} />
        <Box mt={2}>
          <Grid container spacing={2}>
            <Fact
              sm={4}
              md={3}
              label="Hit rate (this replica)"
              value={percent(s.hitRate)}
              testId="cache-hit-rate"
            />
            <Fact
              sm={4}
              md={3}
              label="Hits / misses (this replica)"
              value={`${count(s.hits)} / ${count(s.misses)}`}
            />
            <Fact
              sm={4}
              md={3}
              label={redis ? 'Memory used (Redis)' : 'Memory held'}
              value={formatBytes(s.memoryBytes)}
              testId="cache-memory"
            />
            {redis && (
              <Fact
                sm={4}
                md={3}
                label="Memory limit"
                value={
                  s.maxMemoryBytes ? formatBytes(s.maxMemoryBytes) : 'none'
                }
              />
            )}
            <Fact
              sm={4}
              md={3}
              label={redis ? 'Keys (whole Redis database)' : 'Entries'}
              value={count(s.keys)}
              testId="cache-keys"
            />
            <Fact
              sm={4}
              md={3}
              label={redis ? 'Evictions (since Redis started)' : 'Evictions'}
              value={count(s.evictions)}
            />
            {redis && (
              <Fact
                sm={4}
                md={3}
                label="Redis hit rate (all clients)"
                value={percent(s.serverHitRate)}
              />
            )}
            {s.evictionPolicy && (
              <Fact
                sm={4}
                md={3}
                label="Eviction policy"
                value={s.evictionPolicy}
              />
            )}
          </Grid>
        </Box>
      </>
    );
  }

  return (
    <InfoCard title="Cache">
      {error && <Alert severity="error">{error.message}</Alert>}
      {notice && <Alert severity="success">{notice}</Alert>}
      {body}
      <Box mt={2} display="flex" justifyContent="flex-end">
        <Button onClick={stats.retry}>Refresh</Button>
        <Box ml={1}>
          <Button
            variant="outlined"
            color="secondary"
            onClick={() => setConfirming(true)}
          >
            Flush all
          </Button>
        </Box>
      </Box>
      <ConfirmDialog
        open={confirming}
        title="Flush the whole cache?"
        confirmLabel="Flush everything"
        onCancel={() => setConfirming(false)}
        onConfirm={flushAll}
      >
        Every stream's summaries and listings are removed on every replica.
        Queries read S3 again until the cache is warm: slower, and every object
        is requested once more.
      </ConfirmDialog>
    </InfoCard>
  );
}

import {
  ErrorPanel,
  InfoCard,
  Progress,
  StatusError,
  StatusOK,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  AdminStream,
  StreamSettingsUpdate,
} from '@internal/plugin-realtime-insights-common';
import {
  Button,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { backendError } from '../backendError';
import { ConfirmDialog } from './ConfirmDialog';
import { realtimeInsightsAdminApiRef } from './adminApi';

const nameOf = (s: AdminStream) => s.title ?? s.name ?? s.entityRef;

/**
 * Every stream entity, valid or not, with its owner and problems: switch a
 * stream (or its cache) off and on, optimistically; flush its cache after
 * a confirmation.
 */
export function StreamsTable() {
  const api = useApi(realtimeInsightsAdminApiRef);
  const loaded = useAsyncRetry(() => api.listStreams(), [api]);
  const [items, setItems] = useState<AdminStream[]>();
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<string>();
  const [flushing, setFlushing] = useState<AdminStream>();

  useEffect(() => {
    if (loaded.value) setItems(loaded.value.items);
  }, [loaded.value]);

  if (loaded.error && !items) {
    return (
      <ErrorPanel
        title="Could not load the streams"
        error={backendError(loaded.error)}
      />
    );
  }
  if (!items) return <Progress />;

  const update = async (stream: AdminStream, change: StreamSettingsUpdate) => {
    const replace = (next: AdminStream) =>
      setItems(list =>
        list?.map(s => (s.entityRef === next.entityRef ? next : s)),
      );
    // Optimistic: switch at once, switch back if the backend refuses.
    replace({ ...stream, ...change });
    setError(undefined);
    setNotice(undefined);
    try {
      replace(await api.updateStream(stream.entityRef, change));
    } catch (e) {
      replace(stream);
      setError(backendError(e as Error));
    }
  };

  const flush = async (stream: AdminStream) => {
    setFlushing(undefined);
    setError(undefined);
    try {
      const { deleted } = await api.flushCache({ stream: stream.entityRef });
      setNotice(
        `Flushed ${deleted.toLocaleString()} cached entries of ${nameOf(
          stream,
        )}.`,
      );
    } catch (e) {
      setError(backendError(e as Error));
    }
  };

  return (
    <InfoCard
      title="Streams"
      subheader="Stream entities from the catalog. A disabled stream is hidden from insights and reports and not followed."
    >
      {error && (
        <Alert severity="error" data-testid="streams-error">
          {error.message}
        </Alert>
      )}
      {notice && <Alert severity="success">{notice}</Alert>}
      <Table size="small" aria-label="Streams">
        <TableHead>
          <TableRow>
            <TableCell>Stream</TableCell>
            <TableCell>Owner</TableCell>
            <TableCell>Validation</TableCell>
            <TableCell>Insights</TableCell>
            <TableCell>Cache</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(stream => (
            <TableRow key={stream.entityRef} data-testid="admin-stream-row">
              <TableCell>
                <Typography variant="body2">{nameOf(stream)}</Typography>
                <Typography variant="caption" color="textSecondary">
                  {stream.entityRef}
                  {stream.bucket &&
                    ` · s3://${stream.bucket}/${stream.prefix ?? ''}`}
                </Typography>
              </TableCell>
              <TableCell>{stream.owner ?? '–'}</TableCell>
              <TableCell>
                {stream.valid ? (
                  <StatusOK>valid</StatusOK>
                ) : (
                  <>
                    <StatusError>
                      invalid
                      {stream.invalidSince &&
                        ` since ${new Date(
                          stream.invalidSince,
                        ).toLocaleString()}`}
                    </StatusError>
                    {stream.errors.map(e => (
                      <Typography
                        key={e}
                        variant="caption"
                        component="div"
                        color="error"
                      >
                        {e}
                      </Typography>
                    ))}
                  </>
                )}
              </TableCell>
              <TableCell>
                <Switch
                  checked={stream.enabled}
                  color="primary"
                  inputProps={{
                    'aria-label': `Insights for ${nameOf(stream)}`,
                  }}
                  onChange={e => update(stream, { enabled: e.target.checked })}
                />
              </TableCell>
              <TableCell>
                <Switch
                  checked={stream.cacheEnabled}
                  color="primary"
                  inputProps={{ 'aria-label': `Cache for ${nameOf(stream)}` }}
                  onChange={e =>
                    update(stream, { cacheEnabled: e.target.checked })
                  }
                />
              </TableCell>
              <TableCell>
                {stream.valid && (
                  <Button
                    size="small"
                    onClick={() => setFlushing(stream)}
                    aria-label={`Flush the cache of ${nameOf(stream)}`}
                  >
                    Flush cache
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ConfirmDialog
        open={Boolean(flushing)}
        title={`Flush the cache of ${flushing ? nameOf(flushing) : ''}?`}
        confirmLabel="Flush"
        onCancel={() => setFlushing(undefined)}
        onConfirm={() => flushing && flush(flushing)}
      >
        Its summaries and listings are removed from the cache on every replica.
        Its next queries read its objects from S3 again, which is slower and
        costs S3 requests until the cache is warm.
      </ConfirmDialog>
    </InfoCard>
  );
}

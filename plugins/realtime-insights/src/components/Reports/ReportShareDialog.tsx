import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ReportJob,
  ReportShareResponse,
} from '@internal/plugin-realtime-insights-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { backendError } from '../backendError';
import { realtimeInsightsReportsApiRef } from './reportsApi';

/** `user:default/alice` → `alice`. */
const userName = (entityRef: string) =>
  entityRef.slice(entityRef.lastIndexOf('/') + 1);

/** The report's links that still work, each with a way to revoke it. */
function ActiveLinks(props: { job: ReportJob; version: number }) {
  const { job, version } = props;
  const api = useApi(realtimeInsightsReportsApiRef);
  const links = useAsyncRetry(
    () => api.listReportShares(job.id, { status: 'active' }),
    [api, job.id, version],
  );
  const [revoking, setRevoking] = useState<string>();
  const [error, setError] = useState<Error>();

  const revoke = async (shareId: string) => {
    setRevoking(shareId);
    setError(undefined);
    try {
      await api.revokeReportShare(job.id, shareId);
      links.retry();
    } catch (e) {
      setError(backendError(e as Error));
    } finally {
      setRevoking(undefined);
    }
  };

  let body;
  if (links.loading && !links.value) {
    body = <Progress />;
  } else if (links.error) {
    body = (
      <Alert severity="error">
        Could not load the links: {backendError(links.error).message}
      </Alert>
    );
  } else if (!links.value?.items.length) {
    body = (
      <Typography variant="body2" color="textSecondary">
        No active links.
      </Typography>
    );
  } else {
    body = (
      <List dense disablePadding aria-label="Active links">
        {links.value.items.map(link => {
          const created = new Date(link.createdAt).toLocaleString();
          return (
            <ListItem key={link.id} disableGutters>
              <ListItemText
                primary={`Expires ${new Date(link.expiresAt).toLocaleString()}`}
                secondary={`Shared by ${userName(
                  link.createdBy,
                )} on ${created}`}
              />
              <ListItemSecondaryAction>
                <Button
                  size="small"
                  color="secondary"
                  disabled={revoking !== undefined}
                  aria-label={`Revoke the link shared on ${created}`}
                  onClick={() => revoke(link.id)}
                >
                  {revoking === link.id ? 'Revoking…' : 'Revoke'}
                </Button>
              </ListItemSecondaryAction>
            </ListItem>
          );
        })}
      </List>
    );
  }

  return (
    <Box display="flex" flexDirection="column" gridGap={8}>
      <Typography variant="subtitle2">Active links</Typography>
      {body}
      {error && <Alert severity="error">{error.message}</Alert>}
    </Box>
  );
}

/**
 * Shares a finished report as an expiring link, and lists the report's
 * links that still work, so one sent to the wrong person can be revoked.
 */
export function ReportShareDialog(props: { job: ReportJob; onClose(): void }) {
  const { job, onClose } = props;
  const api = useApi(realtimeInsightsReportsApiRef);
  const [hours, setHours] = useState('24');
  const [share, setShare] = useState<ReportShareResponse>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  // A new link shows in the list below.
  const [version, setVersion] = useState(0);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setShare(
        await api.shareReport(job.id, { expiresInHours: Number(hours) }),
      );
      setVersion(v => v + 1);
    } catch (e) {
      setError(backendError(e as Error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Share {job.fileName}</DialogTitle>
      <DialogContent>
        <Box display="flex" flexDirection="column" gridGap={16}>
          <Typography variant="body2">
            Anyone with the link can download this report, without a portal
            login, until the link expires or is revoked. Every link is recorded.
          </Typography>
          {!share && (
            <TextField
              id="report-share-hours"
              label="Link lifetime (hours)"
              type="number"
              value={hours}
              onChange={e => setHours(e.target.value)}
              inputProps={{ min: 1 }}
            />
          )}
          {share && (
            <>
              <TextField
                id="report-share-link"
                label="Link"
                value={share.url ?? share.path}
                InputProps={{ readOnly: true }}
                onFocus={e => e.target.select()}
              />
              <Typography variant="body2" data-testid="share-expiry">
                Expires {new Date(share.expiresAt).toLocaleString()}
              </Typography>
            </>
          )}
          {error && <Alert severity="error">{error.message}</Alert>}
          <ActiveLinks job={job} version={version} />
        </Box>
      </DialogContent>
      <DialogActions>
        {share && (
          <Button
            onClick={() =>
              navigator.clipboard?.writeText(share.url ?? share.path)
            }
          >
            Copy link
          </Button>
        )}
        <Button onClick={onClose}>Close</Button>
        {!share && (
          <Button
            color="primary"
            variant="contained"
            disabled={busy || !(Number(hours) > 0)}
            onClick={create}
          >
            Create link
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

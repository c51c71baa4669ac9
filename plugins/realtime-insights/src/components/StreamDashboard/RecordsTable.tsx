import { ErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  DimensionFilter,
  StreamEvent,
  StreamSummary,
} from '@internal/plugin-realtime-insights-common';
import {
  Box,
  Button,
  Collapse,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { useTheme } from '@material-ui/core/styles';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRightIcon from '@material-ui/icons/KeyboardArrowRight';
import Skeleton from '@material-ui/lab/Skeleton';
import { Fragment, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { realtimeInsightsApiRef } from '../../api';
import { backendError } from '../backendError';

export const RECORDS_PAGE_SIZE = 20;
const MAX_DIMENSION_COLUMNS = 3;
const MAX_MEASURE_COLUMNS = 2;

/** Event time: the usual `ts` field, else the arrival time. */
function eventTime(event: StreamEvent): string {
  const raw = event.ts ?? event.arrivedAt;
  if (typeof raw !== 'string') return '–';
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? raw : new Date(ms).toLocaleString();
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '–';
  if (typeof value === 'number') return value.toLocaleString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function EventRow(props: { event: StreamEvent; columns: string[] }) {
  const { event, columns } = props;
  const theme = useTheme();
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <TableRow hover>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-label={`${open ? 'Hide' : 'Show'} JSON of event ${
              event.eventId
            }`}
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? <KeyboardArrowDownIcon /> : <KeyboardArrowRightIcon />}
          </IconButton>
        </TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }}>
          {eventTime(event)}
        </TableCell>
        {columns.map(c => (
          <TableCell key={c} style={{ whiteSpace: 'nowrap' }}>
            {cell(event[c])}
          </TableCell>
        ))}
      </TableRow>
      <TableRow>
        <TableCell
          style={{ paddingBottom: 0, paddingTop: 0 }}
          colSpan={columns.length + 2}
        >
          <Collapse in={open} timeout="auto" unmountOnExit>
            <Box
              component="pre"
              data-testid="event-json"
              m={1}
              p={1}
              fontSize={12}
              overflow="auto"
              bgcolor={theme.palette.background.default}
              color={theme.palette.text.primary}
            >
              {JSON.stringify(event, null, 2)}
            </Box>
          </Collapse>
        </TableCell>
      </TableRow>
    </Fragment>
  );
}

/**
 * The range's records, newest objects first, a page at a time. The first
 * page follows the live range; older pages keep the range they were opened
 * with, because a cursor belongs to its query.
 */
export function RecordsTable(props: {
  stream: StreamSummary;
  range: { from: string; to: string };
  filters: DimensionFilter[];
}) {
  const { stream, range, filters } = props;
  const api = useApi(realtimeInsightsApiRef);
  const [paging, setPaging] = useState<{
    from: string;
    to: string;
    cursors: string[];
  }>();

  const from = paging?.from ?? range.from;
  const to = paging?.to ?? range.to;
  const cursor = paging?.cursors[paging.cursors.length - 1];
  const page = useAsync(
    () =>
      api.getRecords(stream.name, {
        from,
        to,
        cursor,
        filters,
        limit: RECORDS_PAGE_SIZE,
      }),
    [api, stream.name, from, to, cursor, filters],
  );

  const columns = [
    'deviceId',
    'customerId',
    ...stream.dimensions.slice(0, MAX_DIMENSION_COLUMNS),
    ...stream.measures.slice(0, MAX_MEASURE_COLUMNS),
  ];
  const pageNumber = (paging?.cursors.length ?? 0) + 1;

  if (page.error) {
    return (
      <ErrorPanel
        title="Could not load records"
        error={backendError(page.error)}
      />
    );
  }
  if (!page.value) {
    return (
      <Box data-testid="records-skeleton">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} variant="text" height={36} />
        ))}
      </Box>
    );
  }
  const { items, nextCursor } = page.value;
  return (
    <>
      {items.length === 0 ? (
        <Typography color="textSecondary">
          No records in this range
          {filters.length ? ' with these filters' : ''}. Devices' records appear
          once Firehose delivers them (about a minute).
        </Typography>
      ) : (
        <Box overflow="auto">
          <Table size="small" aria-label="Recent records">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>Time</TableCell>
                {columns.map(c => (
                  <TableCell key={c}>{c}</TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map(event => (
                <EventRow key={event.eventId} event={event} columns={columns} />
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      <Box display="flex" alignItems="center" justifyContent="flex-end" mt={1}>
        <Typography variant="caption" color="textSecondary">
          Page {pageNumber}
          {page.loading ? ' · loading…' : ''}
        </Typography>
        <Button
          size="small"
          disabled={!paging}
          onClick={() =>
            setPaging(p =>
              p && p.cursors.length > 1
                ? { ...p, cursors: p.cursors.slice(0, -1) }
                : undefined,
            )
          }
        >
          Newer
        </Button>
        <Button
          size="small"
          disabled={!nextCursor || page.loading}
          onClick={() =>
            setPaging({
              from,
              to,
              cursors: [...(paging?.cursors ?? []), nextCursor!],
            })
          }
        >
          Older
        </Button>
      </Box>
    </>
  );
}

import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { Box, Typography } from '@material-ui/core';
import Skeleton from '@material-ui/lab/Skeleton';
import { REGISTER_STREAM_SNIPPET } from './registerSnippet';

/** The backend answers 404 alike for missing streams and unreadable ones. */
export function isNotFound(error: Error | undefined): boolean {
  return (
    !!error &&
    ResponseError.is(error) &&
    (error.statusCode === 404 || error.cause?.name === 'NotFoundError')
  );
}

/** How a team registers a stream: a catalog-info.yaml to copy. */
export function RegisterStreamEmptyState() {
  return (
    <EmptyState
      missing="data"
      title="No streams yet"
      description="Streams are catalog entities: register a Resource of type data-stream with the realtime-insights.io annotations, owned by your team. Its bucket must be one the portal admins allow. Streams appear here for the people allowed to read them."
      action={
        <Box maxWidth={640}>
          <Typography variant="subtitle2" gutterBottom>
            catalog-info.yaml
          </Typography>
          <CodeSnippet
            language="yaml"
            text={REGISTER_STREAM_SNIPPET}
            showCopyCodeButton
          />
        </Box>
      }
    />
  );
}

/** A stream that does not exist, or that the user may not read (same 404). */
export function StreamNotFound({ stream }: { stream: string }) {
  return (
    <EmptyState
      missing="info"
      title={`Stream "${stream}" not found or no access`}
      description="No stream of that name is registered, or you may not read it. Access to a stream follows its catalog entity: ask its owning team, or check the name in the catalog."
    />
  );
}

/** Placeholder of a chart card while its first answer loads. */
export function ChartSkeleton({ height = 240 }: { height?: number }) {
  return (
    <Box data-testid="chart-skeleton">
      <Skeleton variant="text" width="40%" />
      <Skeleton variant="rect" height={height} />
    </Box>
  );
}

import { Content, Header, Page } from '@backstage/core-components';
import { useParams, useResolvedPath } from 'react-router-dom';
import { StreamDashboard } from '../StreamDashboard';
import { ReportActionsComponent } from '../StreamDashboard/ReportActionsSlot';
import { useStreamSummary } from '../useStreamSummary';

/** One stream's dashboard as a page, below the insights page. */
export function StreamDashboardPage(props: {
  reportActions?: ReportActionsComponent;
}) {
  const stream = useParams().stream ?? '';
  // The insights page's own path, whatever it is mounted on.
  const overviewPath = useResolvedPath('..').pathname;
  const { summary } = useStreamSummary(stream);
  return (
    <Page themeId="tool">
      <Header
        title={summary?.title ?? stream}
        subtitle={summary?.description}
        type="Real-time Insights"
        typeLink={overviewPath}
      />
      <Content>
        <StreamDashboard stream={stream} reportActions={props.reportActions} />
      </Content>
    </Page>
  );
}

import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { ReportJobProgress } from './ReportJobProgress';
import { job } from './__testUtils__/reportsBackend';

describe('ReportJobProgress', () => {
  it('shows a running summary job’s progress in objects summarised', async () => {
    await renderInTestApp(
      <ReportJobProgress
        job={job({
          kind: 'summary',
          status: 'running',
          progress: {
            ...job().progress,
            objectsDone: 1234,
            objectsTotal: 4936,
            fraction: 1234 / 4936,
          },
        })}
      />,
    );
    expect(screen.getByTestId('report-job-status')).toHaveTextContent(
      'Summarised 1,234 of 4,936 objects',
    );
    expect(
      screen.getByRole('progressbar', { name: 'Report progress' }),
    ).toHaveAttribute('aria-valuenow', '25');
  });

  it('says it is summarising until the objects are counted', async () => {
    await renderInTestApp(
      <ReportJobProgress
        job={job({
          kind: 'summary',
          status: 'running',
          progress: { ...job().progress, fraction: null },
        })}
      />,
    );
    expect(screen.getByTestId('report-job-status')).toHaveTextContent(
      'Summarising…',
    );
    expect(
      screen.getByRole('progressbar', { name: 'Report progress' }),
    ).not.toHaveAttribute('aria-valuenow');
  });
});

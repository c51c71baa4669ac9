import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ReportsList } from './ReportsList';
import { realtimeInsightsReportsApiRef } from './reportsApi';
import { BASE, job, testReportsClient } from './__testUtils__/reportsBackend';

const denyAll = mockApis.permission({ authorize: AuthorizeResult.DENY });

// A file of its own: usePermission caches decisions per test file.
describe('ReportsList for users without the share permission', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('offers no Share button without the share permission', async () => {
    server.use(
      http.get(`${BASE}/reports`, () =>
        HttpResponse.json({
          items: [job({ status: 'succeeded', fileName: 'done.csv' })],
        }),
      ),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [realtimeInsightsReportsApiRef, testReportsClient()],
          [permissionApiRef, denyAll],
        ]}
      >
        <ReportsList />
      </TestApiProvider>,
    );
    const done = (await screen.findByText('done.csv')).closest(
      'tr',
    ) as HTMLElement;
    expect(
      within(done).getByRole('button', { name: 'Download' }),
    ).toBeInTheDocument();
    expect(within(done).queryByRole('button', { name: 'Share' })).toBeNull();
  });
});

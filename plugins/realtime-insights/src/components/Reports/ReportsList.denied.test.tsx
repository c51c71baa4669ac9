import {
  TestApiProvider,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ReportsList } from './ReportsList';
import { realtimeInsightsReportsApiRef } from './reportsApi';
import { BASE, job, testReportsClient } from './__testUtils__/reportsBackend';

/** Denies every permission (`AuthorizeResult.DENY` is the string 'DENY'). */
type Decision = Awaited<ReturnType<PermissionApi['authorize']>>;
const denyAll: PermissionApi = {
  authorize: async () => ({ result: 'DENY' } as Decision),
};

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

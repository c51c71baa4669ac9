import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AdminClient } from '@internal/plugin-realtime-insights-common';
import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { AdminPage } from './AdminPage';
import { realtimeInsightsAdminApiRef } from './adminApi';

const denyAll = mockApis.permission({ authorize: AuthorizeResult.DENY });

// A file of its own: usePermission caches decisions per test file.
describe('AdminPage for users without the admin permission', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('shows nothing of the admin pages and calls no admin route', async () => {
    const requests = jest.fn();
    server.events.on('request:start', requests);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            realtimeInsightsAdminApiRef,
            new AdminClient({
              discoveryApi: { getBaseUrl: async () => 'http://backend.test' },
              fetchApi: { fetch: (...args) => fetch(...args) },
            }),
          ],
          [permissionApiRef, denyAll],
        ]}
      >
        <AdminPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText(/Not allowed/)).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
    expect(screen.queryByText('Settings')).not.toBeInTheDocument();
    expect(requests).not.toHaveBeenCalled();
  });
});

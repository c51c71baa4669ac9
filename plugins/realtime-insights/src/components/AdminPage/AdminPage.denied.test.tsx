import {
  TestApiProvider,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import { AdminClient } from '@internal/plugin-realtime-insights-common';
import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { AdminPage } from './AdminPage';
import { realtimeInsightsAdminApiRef } from './adminApi';

/**
 * Denies every permission. `AuthorizeResult.DENY` is the string 'DENY';
 * spelled out to spare the package a dependency for one test.
 */
type Decision = Awaited<ReturnType<PermissionApi['authorize']>>;
const denyAll: PermissionApi = {
  authorize: async () => ({ result: 'DENY' } as Decision),
};

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

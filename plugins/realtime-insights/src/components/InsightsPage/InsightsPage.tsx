import { Progress } from '@backstage/core-components';
import { Suspense, lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { StreamDashboardPage } from './StreamDashboardPage';
import { StreamsOverview } from './StreamsOverview';

// Admins only: its code loads when the page is opened.
const AdminPage = lazy(() =>
  import('../AdminPage').then(m => ({ default: m.AdminPage })),
);

/**
 * The insights page: the streams the user may read with their freshness,
 * a dashboard per stream below `streams/:stream`, and the admin page below
 * `admin` (for holders of the admin permission; the same in both frontend
 * systems, wherever the page is mounted).
 */
export function InsightsPage() {
  return (
    <Routes>
      <Route path="/" element={<StreamsOverview />} />
      <Route path="/streams/:stream" element={<StreamDashboardPage />} />
      <Route
        path="/admin"
        element={
          <Suspense fallback={<Progress />}>
            <AdminPage />
          </Suspense>
        }
      />
    </Routes>
  );
}

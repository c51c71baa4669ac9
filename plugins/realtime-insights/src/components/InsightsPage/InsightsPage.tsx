import { Route, Routes } from 'react-router-dom';
import { StreamDashboardPage } from './StreamDashboardPage';
import { StreamsOverview } from './StreamsOverview';

/**
 * The insights page: the streams the user may read with their freshness,
 * and a dashboard per stream below `streams/:stream`.
 */
export function InsightsPage() {
  return (
    <Routes>
      <Route path="/" element={<StreamsOverview />} />
      <Route path="/streams/:stream" element={<StreamDashboardPage />} />
    </Routes>
  );
}

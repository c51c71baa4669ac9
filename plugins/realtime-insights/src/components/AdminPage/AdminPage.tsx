import {
  Content,
  Header,
  Page,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { realtimeInsightsAdminPermission } from '@internal/plugin-realtime-insights-common';
import { Box, Tab, Tabs } from '@material-ui/core';
import { useState } from 'react';
import { CachePanel } from './CachePanel';
import { HealthPanel } from './HealthPanel';
import { SettingsForm } from './SettingsForm';
import { StreamsTable } from './StreamsTable';

const TABS = ['Settings', 'Streams', 'Cache', 'Health'] as const;

function AdminTabs() {
  const [tab, setTab] = useState(0);
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_, value) => setTab(value)}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Admin sections"
      >
        {TABS.map(label => (
          <Tab key={label} label={label} />
        ))}
      </Tabs>
      <Box mt={2}>
        {tab === 0 && <SettingsForm />}
        {tab === 1 && <StreamsTable />}
        {tab === 2 && <CachePanel />}
        {tab === 3 && <HealthPanel />}
      </Box>
    </>
  );
}

/**
 * The admin page of Real-time Insights: settings, streams, cache and
 * pipeline health. Shown only to holders of `realtime-insights.admin`
 * (the backend refuses everyone else too).
 *
 * @public
 */
export function AdminPage() {
  const { loading, allowed } = usePermission({
    permission: realtimeInsightsAdminPermission,
  });
  let body;
  if (loading) {
    body = <Progress />;
  } else if (!allowed) {
    body = (
      <WarningPanel
        title="Not allowed"
        message="Administering Real-time Insights needs the realtime-insights.admin permission. Ask the portal's admins if you need it."
      />
    );
  } else {
    body = <AdminTabs />;
  }
  return (
    <Page themeId="tool">
      <Header
        title="Real-time Insights admin"
        subtitle="Settings, streams, cache and pipeline health"
      />
      <Content>{body}</Content>
    </Page>
  );
}

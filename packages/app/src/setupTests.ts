import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// `npm test` runs every package's suites at once on two cores, where a
// Backstage test app can take seconds to render: testing-library's 1 s
// wait for an element and Jest's 5 s per test have both run out there
// (plugin.test.tsx in one CI run, StreamDashboard typing in another).
// A test whose element never appears still fails, only later.
configure({ asyncUtilTimeout: 5_000 });
jest.setTimeout(20_000);

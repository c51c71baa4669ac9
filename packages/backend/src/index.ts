/*
 * The Real-time Insights portal backend: the parts of Backstage this product
 * uses (catalog, auth, permission, signals, user settings) plus the
 * realtime-insights plugin.
 */

import { createBackend } from '@backstage/backend-defaults';
import {
  configFilesOf,
  describeMissing,
  missingVariables,
} from './configVariables';
import { explainStartupFailure } from './startupFailure';

// A `${VAR}` left unset would surface much later as a missing config key,
// or not at all: stop now and name it.
const missing = missingVariables(configFilesOf(process.argv), process.env);
if (missing.length > 0) {
  process.stderr.write(`${describeMissing(missing)}\n`);
  process.exit(1);
}

const backend = createBackend();

// Serves the built frontend in production (in development the app has its own server).
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: the guest provider locally, OIDC (the company SSO) in production.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// The company SSO; discovers the provider again if it was down at start-up.
backend.add(import('./oidcProvider'));

// Streams are catalog entities; ownership drives access.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Permission framework: stream owners and rti-admins see streams, everything
// else is allowed (a real company replaces ./permissionPolicy with its own).
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// Live updates for insight charts, and per-user settings (theme).
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

backend.add(import('@internal/plugin-realtime-insights-backend'));

backend.start().catch(error => {
  const explained = explainStartupFailure(error);
  process.stderr.write(
    `${explained ?? `The backend could not start: ${error?.stack ?? error}`}\n`,
  );
  process.exit(1);
});

/*
 * The company of the production-like stack: who can sign in at the local
 * OpenID Provider, and the catalog's org file that matches them by email.
 * Loopback-only test accounts; the browser test signs in as them.
 */
import { SsoUser } from './sso/startLocalSso';

export type Person = SsoUser & {
  /** Catalog User name; none for someone the catalog does not know. */
  catalogName?: string;
  teams: string[];
};

export const PEOPLE: Person[] = [
  {
    id: 'u-1001',
    email: 'mia.mobile@example.com',
    name: 'Mia Mobile',
    password: 'mia-local-password',
    catalogName: 'mia.mobile',
    teams: ['mobile-analytics'],
  },
  {
    id: 'u-1002',
    email: 'pat.payments@example.com',
    name: 'Pat Payments',
    password: 'pat-local-password',
    catalogName: 'pat.payments',
    teams: ['payments'],
  },
  {
    id: 'u-1003',
    email: 'ada.admin@example.com',
    name: 'Ada Admin',
    password: 'ada-local-password',
    catalogName: 'ada.admin',
    teams: ['rti-admins'],
  },
  {
    // Has an SSO account but no catalog User: sign-in is refused.
    id: 'u-1004',
    email: 'nora.nobody@example.com',
    name: 'Nora Nobody',
    password: 'nora-local-password',
    teams: [],
  },
];

export const TEAMS = [
  {
    name: 'mobile-analytics',
    description: 'Owns interactions and sensor-readings',
  },
  { name: 'payments', description: 'Owns transaction-logs' },
  { name: 'rti-admins', description: 'Administers Real-time Insights' },
];

/** The org file (RTI_CATALOG_ORG_FILE): Groups, and Users with their email. */
export function orgCatalogYaml(): string {
  const docs: string[] = [];
  for (const team of TEAMS) {
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Group',
        'metadata:',
        `  name: ${team.name}`,
        `  description: ${JSON.stringify(team.description)}`,
        'spec:',
        '  type: team',
        '  children: []',
      ].join('\n'),
    );
  }
  for (const person of PEOPLE) {
    if (!person.catalogName) continue;
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: User',
        'metadata:',
        `  name: ${person.catalogName}`,
        'spec:',
        '  profile:',
        `    displayName: ${JSON.stringify(person.name)}`,
        `    email: ${JSON.stringify(person.email)}`,
        `  memberOf: [${person.teams.join(', ')}]`,
      ].join('\n'),
    );
  }
  return `${docs.map(d => `---\n${d}\n`).join('')}`;
}

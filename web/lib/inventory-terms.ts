/**
 * The platform and account-kind values of shared/vault/vault.schemas.ts (`platforms`,
 * `accountKinds`) and the one name the portal shows for each, on every page and form. No server or
 * client imports: pages, forms and actions share it.
 */

export const platforms = [
  'linux',
  'unix',
  'windows',
  'macos',
  'active-directory',
  'ldap',
  'postgresql',
  'mysql',
  'mariadb',
  'mssql',
  'oracle',
  'network-device',
  'application',
  'cloud',
] as const;
export type Platform = (typeof platforms)[number];

export const platformLabels: Record<Platform, string> = {
  linux: 'Linux',
  unix: 'Unix',
  windows: 'Windows',
  macos: 'macOS',
  'active-directory': 'Active Directory',
  ldap: 'LDAP directory',
  postgresql: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  mssql: 'Microsoft SQL Server',
  oracle: 'Oracle Database',
  'network-device': 'Network device',
  application: 'Application',
  cloud: 'Cloud service',
};

/** The name of a platform value; an unknown value (a newer API) is shown as it is. */
export const platformLabel = (platform: string) => platformLabels[platform as Platform] ?? platform;

export const accountKinds = ['local', 'domain', 'database', 'ssh-key', 'service'] as const;
export type AccountKind = (typeof accountKinds)[number];

export const accountKindLabels: Record<AccountKind, string> = {
  local: 'Local account',
  domain: 'Domain account',
  database: 'Database login',
  'ssh-key': 'SSH key',
  service: 'Service account',
};

/** The name of an account kind; an unknown value is shown as it is. */
export const accountKindLabel = (kind: string) => accountKindLabels[kind as AccountKind] ?? kind;

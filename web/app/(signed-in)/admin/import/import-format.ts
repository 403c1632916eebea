import { formatCsv } from '@/lib/csv';

/** The CSV format of the inventory import: the columns, their meaning and an example file. */

export const maxImportRows = 1000;
/** Server actions take bodies up to 1 MB; the form checks the file before sending it. */
export const maxImportBytes = 900 * 1024;

export const importColumns = [
  'system',
  'hostname',
  'platform',
  'workgroup',
  'tags',
  'username',
  'kind',
  'description',
  'password',
] as const;
export type ImportColumn = (typeof importColumns)[number];

export const requiredColumns: readonly ImportColumn[] = ['system', 'username', 'kind'];

export const columnHelp: readonly { column: ImportColumn; required: string; meaning: string }[] = [
  {
    column: 'system',
    required: 'Yes',
    meaning:
      'Name of the system. A system of that name (in any letter case) is reused; otherwise it is created from this row.',
  },
  {
    column: 'hostname',
    required: 'For a new system',
    meaning: 'DNS hostname or IP address of a new system.',
  },
  {
    column: 'platform',
    required: 'For a new system',
    meaning:
      'linux, unix, windows, macos, active-directory, ldap, postgresql, mysql, mariadb, mssql, oracle, network-device, application or cloud. Must match an existing system’s platform.',
  },
  {
    column: 'workgroup',
    required: 'No',
    meaning: 'Workgroup of a new system (lowercase letters, digits, - and _); default “default”.',
  },
  {
    column: 'tags',
    required: 'No',
    meaning: 'Tags of a new system, separated by semicolons, e.g. prod;pci.',
  },
  { column: 'username', required: 'Yes', meaning: 'User name of the account on the system.' },
  {
    column: 'kind',
    required: 'Yes',
    meaning: 'local, domain, database, ssh-key or service.',
  },
  { column: 'description', required: 'No', meaning: 'What the account is for.' },
  {
    column: 'password',
    required: 'No',
    meaning:
      'The account’s current password, stored as its first credential version. It is never shown in the results. Leave empty to set it later (SSH key accounts: set the key on the account’s page).',
  },
];

export const exampleRows: readonly (readonly string[])[] = [
  importColumns,
  [
    'web-02',
    'web-02.example.internal',
    'linux',
    'web',
    'prod;dmz',
    'root',
    'local',
    'Break-glass root login',
    'Example-only, replace me 1',
  ],
  ['web-02', '', '', '', '', 'deploy', 'local', 'Release pipeline user', ''],
  [
    'pg-reporting',
    '10.20.4.12',
    'postgresql',
    'data',
    'prod;pci',
    'postgres',
    'database',
    'Database superuser',
    'Example-only "quoted" 2',
  ],
  ['dc02', 'dc02.example.internal', 'active-directory', 'identity', 'tier0', 'svc-backup', 'domain', '', ''],
];

export const exampleCsv = formatCsv(exampleRows);

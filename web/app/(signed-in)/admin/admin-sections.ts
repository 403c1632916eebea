import type { SessionData } from '@/lib/session-cookie';

/** The areas of Admin, each shown to those whose permissions let them use it. */
export interface AdminSection {
  readonly href: string;
  readonly label: string;
  readonly summary: string;
  readonly permissions: readonly string[];
}

export const adminSections: readonly AdminSection[] = [
  {
    href: '/admin/systems',
    label: 'Systems',
    summary: 'Servers, databases, directories and applications whose privileged accounts Strongroom holds.',
    permissions: ['system:create'],
  },
  {
    href: '/admin/import',
    label: 'Import',
    summary: 'Onboard many systems and accounts at once from a CSV file, with their current passwords.',
    permissions: ['system:create', 'account:create'],
  },
  {
    href: '/admin/password-policies',
    label: 'Password policies',
    summary: 'Length, character classes and maximum age of the passwords Strongroom generates.',
    permissions: ['password-policy:create'],
  },
  {
    href: '/admin/access-policies',
    label: 'Access policies',
    summary: 'Who may request which accounts, for how long, and who approves.',
    permissions: ['access-policy:create'],
  },
  {
    href: '/admin/users',
    label: 'Users',
    summary: 'People who sign in to this organisation, and their roles.',
    permissions: ['user:read'],
  },
  {
    href: '/admin/groups',
    label: 'Groups',
    summary: 'Teams of users that share roles and appear in access policies.',
    permissions: ['group:read'],
  },
  {
    href: '/admin/roles',
    label: 'Roles',
    summary: 'What each role may do, permission by permission.',
    permissions: ['user:read'],
  },
];

export function adminSectionsFor(session: SessionData): AdminSection[] {
  const granted = new Set(session.user.permissions);
  return adminSections.filter((section) => section.permissions.every((p) => granted.has(p)));
}

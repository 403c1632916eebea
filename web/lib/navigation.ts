import type { SessionData } from './session-cookie';

export interface NavigationItem {
  readonly href: string;
  readonly label: string;
}

const adminPermissions = [
  'system:create',
  'account:create',
  'user:read',
  'group:read',
  'access-policy:create',
  'password-policy:create',
];

/** The portal's sections, shown only to those whose permissions let them use them. */
export function navigationFor(session: SessionData): NavigationItem[] {
  const has = (permission: string) => session.user.permissions.includes(permission);
  return [
    { href: '/', label: 'Home', show: true },
    { href: '/accounts', label: 'Accounts', show: has('account:read') },
    { href: '/releases', label: 'My access', show: has('access-request:create') },
    { href: '/approvals', label: 'Approvals', show: session.user.id !== '' },
    { href: '/audit', label: 'Audit', show: has('audit:read') },
    { href: '/admin', label: 'Admin', show: adminPermissions.some(has) },
  ]
    .filter((item) => item.show)
    .map(({ href, label }) => ({ href, label }));
}

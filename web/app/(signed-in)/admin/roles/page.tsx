import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState, PageHeader } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import styles from '../users/_components/admin.module.css';
import { type Group, listAllIfAllowed, listRoles, roleLabel, type User } from '../users/_lib/identity';

export const metadata: Metadata = { title: 'Roles' };

export default async function RolesPage() {
  const session = await requireSession();
  const [roles, groups, users] = await Promise.all([
    listRoles(),
    can(session, 'group:read') ? listAllIfAllowed<Group>('/v1/groups') : Promise.resolve(null),
    can(session, 'user:read') ? listAllIfAllowed<User>('/v1/users') : Promise.resolve(null),
  ]);
  return (
    <>
      <PageHeader
        title="Roles"
        description="Roles are fixed sets of permissions. They cannot be edited; you choose who holds them."
      />
      <div className="notice notice-info">
        <p className="notice-title">How people get roles</p>
        <p>
          A user holds the roles given to them directly (on their{' '}
          <Link href="/admin/users" prefetch={false}>
            user page
          </Link>
          ) plus the roles of every{' '}
          <Link href="/admin/groups" prefetch={false}>
            group
          </Link>{' '}
          they belong to. Their permissions are everything those roles allow. Changes apply when the user’s
          session next refreshes, within 10 minutes. Which accounts someone may request is decided by the
          access policies, not by roles.
        </p>
      </div>
      {roles.length === 0 ? (
        <EmptyState title="No roles">
          <p>The API lists no roles for this tenant.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>Roles and their permissions</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">What it is for</th>
                <th scope="col">Held by</th>
                <th scope="col">Permissions</th>
              </tr>
            </thead>
            <tbody>
              {roles.map((role) => {
                const direct = users?.items.filter((user) => user.roles.includes(role.role)).length;
                const granting = groups?.items.filter((group) => group.roles.includes(role.role)) ?? [];
                return (
                  <tr key={role.role}>
                    <th scope="row">
                      {roleLabel(role.role)}
                      <br />
                      <code className="small">{role.role}</code>
                    </th>
                    <td>{role.description}</td>
                    <td>
                      <ul className={styles.plainList}>
                        {direct !== undefined ? (
                          <li>
                            {direct} {direct === 1 ? 'user' : 'users'} directly
                          </li>
                        ) : null}
                        {groups ? (
                          granting.length ? (
                            <li>
                              members of{' '}
                              {granting.map((group, index) => (
                                <span key={group.id}>
                                  {index > 0 ? ', ' : ''}
                                  <Link href={`/admin/groups/${group.id}`} prefetch={false}>
                                    {group.name}
                                  </Link>
                                </span>
                              ))}
                            </li>
                          ) : (
                            <li>no group</li>
                          )
                        ) : null}
                        {direct === undefined && !groups ? (
                          <li className="muted">Not visible to you</li>
                        ) : null}
                      </ul>
                    </td>
                    <td>
                      <ul className={styles.tagList} aria-label={`Permissions of ${roleLabel(role.role)}`}>
                        {[...role.permissions].sort().map((permission) => (
                          <li key={permission}>
                            <code className={styles.permission}>{permission}</code>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

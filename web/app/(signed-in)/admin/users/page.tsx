import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState, PageHeader, Pagination, StatusBadge, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import styles from './_components/admin.module.css';
import { NoAccess } from './_components/route-states';
import {
  type Group,
  listAllIfAllowed,
  listRoles,
  type Page,
  roleLabel,
  roleOptions,
  rolesFromGroups,
  searchValue,
  type User,
} from './_lib/identity';
import { createUserAction } from './actions';
import { CreateUserForm } from './create-user-form';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!can(session, 'user:read')) return <NoAccess title="Users" permission="user:read" />;
  const cursor = searchValue((await searchParams).cursor);
  const mayCreate = can(session, 'user:create');
  const [page, groups, roles] = await Promise.all([
    api<Page<User>>('/v1/users', { query: { limit: 50, cursor } }),
    listAllIfAllowed<Group>('/v1/groups'),
    mayCreate ? listRoles() : Promise.resolve([]),
  ]);
  const groupName = new Map(groups.items.map((group) => [group.id, group.name]));
  return (
    <>
      <PageHeader
        title="Users"
        description="People and integrations who sign in to this tenant. What they may do comes from their roles: given directly, or through the groups they belong to."
      />
      {page.items.length === 0 ? (
        <EmptyState title={cursor ? 'No more users' : 'No users yet'}>
          {cursor ? (
            <Link href="/admin/users" prefetch={false}>
              Back to the first page
            </Link>
          ) : (
            <p>Add the first user below.</p>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>Users of {session.user.tenantName}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Roles</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((user) => {
                const inherited = rolesFromGroups(user, groups.items).filter(
                  (role) => !user.roles.includes(role),
                );
                return (
                  <tr key={user.id}>
                    <td>
                      <Link href={`/admin/users/${user.id}`} prefetch={false}>
                        {user.displayName}
                      </Link>
                    </td>
                    <td>{user.email}</td>
                    <td>
                      {user.roles.length === 0 && inherited.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <ul className={styles.plainList}>
                          {user.roles.map((role) => (
                            <li key={role}>{roleLabel(role)}</li>
                          ))}
                          {inherited.map((role) => (
                            <li key={role}>
                              {roleLabel(role)} <span className="muted small">(through a group)</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      {user.groupIds.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <ul className={styles.plainList}>
                          {user.groupIds.map((id) => (
                            <li key={id}>
                              {groupName.has(id) ? (
                                <Link href={`/admin/groups/${id}`} prefetch={false}>
                                  {groupName.get(id)}
                                </Link>
                              ) : (
                                <code>{id}</code>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={user.status} />{' '}
                      {user.lockedUntil && Date.parse(user.lockedUntil) > Date.now() ? (
                        <span className="badge badge-danger">locked</span>
                      ) : null}
                    </td>
                    <td>
                      {user.lastSignInAt ? (
                        <Time value={user.lastSignInAt} />
                      ) : (
                        <span className="muted">Never</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination
        basePath="/admin/users"
        params={{}}
        nextCursor={page.nextCursor}
        hasPrevious={Boolean(cursor)}
      />
      {mayCreate ? (
        <section aria-labelledby="add-user" className={`card ${styles.narrow} ${styles.sectionSpacing}`}>
          <h2 id="add-user">Add a user</h2>
          <CreateUserForm action={createUserAction} csrf={session.csrfToken} roles={roleOptions(roles)} />
        </section>
      ) : null}
    </>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState, PageHeader, Pagination } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import styles from '../users/_components/admin.module.css';
import { NoAccess } from '../users/_components/route-states';
import {
  type Group,
  listAllIfAllowed,
  listRoles,
  type Page,
  roleLabel,
  roleOptions,
  searchValue,
  type User,
} from '../users/_lib/identity';
import { createGroupAction } from './actions';
import { CreateGroupForm } from './create-group-form';

export const metadata: Metadata = { title: 'Groups' };

export default async function GroupsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!can(session, 'group:read')) return <NoAccess title="Groups" permission="group:read" />;
  const cursor = searchValue((await searchParams).cursor);
  const mayCreate = can(session, 'group:create');
  const mayReadUsers = can(session, 'user:read');
  const [page, users, roles] = await Promise.all([
    api<Page<Group>>('/v1/groups', { query: { limit: 50, cursor } }),
    mayReadUsers ? listAllIfAllowed<User>('/v1/users') : Promise.resolve(null),
    mayCreate ? listRoles() : Promise.resolve([]),
  ]);
  const memberCount = (groupId: string) =>
    users ? users.items.filter((user) => user.groupIds.includes(groupId)).length : null;
  return (
    <>
      <PageHeader
        title="Groups"
        description="Groups give their roles to every member. Access policies name groups as the people who may request accounts and as the approvers."
      />
      {page.items.length === 0 ? (
        <EmptyState title={cursor ? 'No more groups' : 'No groups yet'}>
          {cursor ? (
            <Link href="/admin/groups" prefetch={false}>
              Back to the first page
            </Link>
          ) : (
            <p>Create a group below, then add users to it.</p>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>Groups of {session.user.tenantName}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Roles it grants</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((group) => {
                const count = memberCount(group.id);
                return (
                  <tr key={group.id}>
                    <td>
                      <Link href={`/admin/groups/${group.id}`} prefetch={false}>
                        {group.name}
                      </Link>
                    </td>
                    <td>{group.description || <span className="muted">No description</span>}</td>
                    <td>
                      {group.roles.length ? (
                        <ul className={styles.plainList}>
                          {group.roles.map((role) => (
                            <li key={role}>{roleLabel(role)}</li>
                          ))}
                        </ul>
                      ) : (
                        <span className="muted">None</span>
                      )}
                    </td>
                    <td>
                      {count === null ? (
                        <span className="muted">Not visible to you</span>
                      ) : (
                        `${users?.complete ? '' : 'at least '}${count}`
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
        basePath="/admin/groups"
        params={{}}
        nextCursor={page.nextCursor}
        hasPrevious={Boolean(cursor)}
      />
      {mayCreate ? (
        <section aria-labelledby="create-group" className={`card ${styles.narrow} ${styles.sectionSpacing}`}>
          <h2 id="create-group">Create a group</h2>
          <CreateGroupForm action={createGroupAction} csrf={session.csrfToken} roles={roleOptions(roles)} />
        </section>
      ) : null}
    </>
  );
}

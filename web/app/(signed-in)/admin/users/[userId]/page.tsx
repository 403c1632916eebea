import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ActionForm, Field, SelectField, SubmitButton } from '@/components/action-form';
import { Definition, EmptyState, PageHeader, StatusBadge, Time } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import { addMembershipAction, removeMembershipAction } from '../../groups/membership-actions';
import styles from '../_components/admin.module.css';
import { MembershipForm } from '../_components/membership-form';
import { NoAccess } from '../_components/route-states';
import { RowSubmitButton } from '../_components/row-button';
import {
  type Group,
  getOrNull,
  listAllIfAllowed,
  listRoles,
  roleLabel,
  roleOptions,
  rolesFromGroups,
  searchValue,
  type User,
  userIdPattern,
} from '../_lib/identity';
import { resetPasswordAction, setUserStatusAction, updateUserAction } from './actions';
import { EditUserForm } from './edit-user-form';

export const metadata: Metadata = { title: 'User' };

export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ userId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!can(session, 'user:read')) return <NoAccess title="User" permission="user:read" />;
  const { userId } = await params;
  if (!userIdPattern.test(userId)) notFound();
  const mayUpdate = can(session, 'user:update');
  const mayChangeGroups = can(session, 'group:update');
  const [user, groups, roles] = await Promise.all([
    getOrNull<User>(`/v1/users/${userId}`),
    listAllIfAllowed<Group>('/v1/groups'),
    mayUpdate ? listRoles() : Promise.resolve([]),
  ]);
  if (!user) notFound();
  const created = searchValue((await searchParams).created) === '1';
  const isSelf = user.id === session.user.id;
  const memberOf = groups.items.filter((group) => user.groupIds.includes(group.id));
  const unknownGroupIds = user.groupIds.filter((id) => !groups.items.some((group) => group.id === id));
  const otherGroups = groups.items.filter((group) => !user.groupIds.includes(group.id));
  const inherited = rolesFromGroups(user, groups.items);
  const locked = user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.now();
  return (
    <>
      <nav aria-label="Breadcrumb" className="small">
        <Link href="/admin/users" prefetch={false}>
          Users
        </Link>{' '}
        / {user.displayName}
      </nav>
      <PageHeader title={user.displayName} description={user.email} />
      {created ? (
        <p className="notice notice-success" role="status">
          User created. Add them to groups below so they get the groups’ roles and fall under the access
          policies of those groups.
        </p>
      ) : null}
      <section aria-labelledby="overview" className="card">
        <h2 id="overview">Overview</h2>
        <Definition
          items={[
            ['Status', <StatusBadge key="status" status={user.status} />],
            [
              'Direct roles',
              user.roles.length ? user.roles.map(roleLabel).join(', ') : <None key="direct" />,
            ],
            [
              'Roles through groups',
              inherited.length ? inherited.map(roleLabel).join(', ') : <None key="inherited" />,
            ],
            ['Last sign-in', user.lastSignInAt ? <Time key="last" value={user.lastSignInAt} /> : 'Never'],
            ['Created', <Time key="created" value={user.createdAt} />],
            [
              'Sign-in lockout',
              locked ? (
                <span key="locked">
                  Locked until <Time value={user.lockedUntil} />
                </span>
              ) : (
                'Not locked'
              ),
            ],
          ]}
        />
      </section>

      <section aria-labelledby="memberships">
        <h2 id="memberships">Group memberships</h2>
        <MembershipForm
          enabled={mayChangeGroups}
          action={removeMembershipAction}
          csrf={session.csrfToken}
          label="Group memberships"
          fixed={{ name: 'userId', value: user.id }}
        >
          {memberOf.length === 0 && unknownGroupIds.length === 0 ? (
            <EmptyState title="Not in any group">
              <p>Groups give their roles to their members, and access policies name groups as requesters.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Groups {user.displayName} belongs to</caption>
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col">Roles it grants</th>
                    {mayChangeGroups ? <th scope="col">Membership</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {memberOf.map((group) => (
                    <tr key={group.id}>
                      <td>
                        <Link href={`/admin/groups/${group.id}`} prefetch={false}>
                          {group.name}
                        </Link>
                      </td>
                      <td>
                        {group.roles.length ? (
                          group.roles.map(roleLabel).join(', ')
                        ) : (
                          <span className="muted">None</span>
                        )}
                      </td>
                      {mayChangeGroups ? (
                        <td>
                          <RowSubmitButton name="groupId" value={group.id} pendingLabel="Removing…">
                            Remove<span className="visually-hidden"> from {group.name}</span>
                          </RowSubmitButton>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                  {unknownGroupIds.map((id) => (
                    <tr key={id}>
                      <td>
                        <code>{id}</code>
                      </td>
                      <td className="muted">Not visible to you</td>
                      {mayChangeGroups ? <td /> : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </MembershipForm>
        {mayChangeGroups ? (
          otherGroups.length > 0 ? (
            <ActionForm
              action={addMembershipAction}
              csrf={session.csrfToken}
              label="Add to a group"
              className={`${styles.inlineForm} ${styles.sectionSpacing}`}
            >
              <input type="hidden" name="userId" value={user.id} />
              <SelectField
                name="groupId"
                label="Add to group"
                options={[
                  { value: '', label: 'Choose a group…' },
                  ...otherGroups.map((group) => ({
                    value: group.id,
                    label: group.roles.length
                      ? `${group.name} (grants ${group.roles.map(roleLabel).join(', ')})`
                      : group.name,
                  })),
                ]}
              />
              <SubmitButton pendingLabel="Adding…">Add to group</SubmitButton>
            </ActionForm>
          ) : (
            <p className="muted">
              {groups.items.length === 0 ? (
                <>
                  There are no groups yet.{' '}
                  <Link href="/admin/groups" prefetch={false}>
                    Create one
                  </Link>
                  .
                </>
              ) : (
                'This user already belongs to every group.'
              )}
            </p>
          )
        ) : null}
      </section>

      {mayUpdate ? (
        <>
          <section aria-labelledby="edit" className={`card ${styles.narrow} ${styles.sectionSpacing}`}>
            <h2 id="edit">Name and roles</h2>
            <EditUserForm
              action={updateUserAction.bind(null, user.id)}
              csrf={session.csrfToken}
              roles={roleOptions(roles)}
              displayName={user.displayName}
              directRoles={user.roles}
              isSelf={isSelf}
            />
          </section>
          <section aria-labelledby="sign-in" className={`card ${styles.narrow} ${styles.sectionSpacing}`}>
            <h2 id="sign-in">Sign-in</h2>
            <h3>{user.status === 'active' ? 'Disable this user' : 'Enable this user'}</h3>
            {isSelf ? (
              <p className="muted">You cannot disable yourself; another tenant administrator can.</p>
            ) : user.status === 'active' ? (
              <ActionForm
                action={setUserStatusAction.bind(null, user.id, 'disabled')}
                csrf={session.csrfToken}
                label="Disable this user"
                className="stack"
              >
                <p>
                  A disabled user can neither sign in nor refresh a session, so an open session ends within 10
                  minutes. Their history, roles and memberships stay.
                </p>
                <div className="button-row">
                  <SubmitButton variant="danger" pendingLabel="Disabling…">
                    Disable {user.displayName}
                  </SubmitButton>
                </div>
              </ActionForm>
            ) : (
              <ActionForm
                action={setUserStatusAction.bind(null, user.id, 'active')}
                csrf={session.csrfToken}
                label="Enable this user"
                className="stack"
              >
                <p>Enabling lets the user sign in again with their current password.</p>
                <div className="button-row">
                  <SubmitButton pendingLabel="Enabling…">Enable {user.displayName}</SubmitButton>
                </div>
              </ActionForm>
            )}
            <h3>Set a new password</h3>
            <ActionForm
              action={resetPasswordAction.bind(null, user.id)}
              csrf={session.csrfToken}
              label="Set a new password"
              className="stack"
              resetOnSuccess
            >
              <Field
                name="password"
                label="New password"
                type="password"
                autoComplete="new-password"
                required
                hint="For a user who forgot theirs: at least 12 characters. It also lifts a sign-in lockout."
              />
              <div className="button-row">
                <SubmitButton variant="secondary" pendingLabel="Setting password…">
                  Set password
                </SubmitButton>
              </div>
            </ActionForm>
          </section>
        </>
      ) : null}
    </>
  );
}

function None() {
  return <span className="muted">None</span>;
}

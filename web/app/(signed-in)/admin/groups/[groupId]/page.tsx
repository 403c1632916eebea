import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ActionForm, Field, SelectField, SubmitButton, TextAreaField } from '@/components/action-form';
import { Definition, EmptyState, PageHeader, StatusBadge, Time } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import styles from '../../users/_components/admin.module.css';
import { MembershipForm } from '../../users/_components/membership-form';
import { NoAccess } from '../../users/_components/route-states';
import { RowSubmitButton } from '../../users/_components/row-button';
import {
  type Group,
  getOrNull,
  groupIdPattern,
  listAllIfAllowed,
  roleLabel,
  searchValue,
  type User,
} from '../../users/_lib/identity';
import { addMembershipAction, removeMembershipAction } from '../membership-actions';
import { updateGroupAction } from './actions';

export const metadata: Metadata = { title: 'Group' };

interface PolicyReference {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly requesterGroupIds: readonly string[];
  readonly approval: { readonly mode: string; readonly approverGroupIds?: readonly string[] };
}

export default async function GroupPage({
  params,
  searchParams,
}: {
  params: Promise<{ groupId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!can(session, 'group:read')) return <NoAccess title="Group" permission="group:read" />;
  const { groupId } = await params;
  if (!groupIdPattern.test(groupId)) notFound();
  const mayReadUsers = can(session, 'user:read');
  // Renaming and changing members both need group:update (the API's rule).
  const mayChange = can(session, 'group:update');
  const [group, users, policies] = await Promise.all([
    getOrNull<Group>(`/v1/groups/${groupId}`),
    mayReadUsers ? listAllIfAllowed<User>('/v1/users') : Promise.resolve(null),
    can(session, 'access-policy:read')
      ? listAllIfAllowed<PolicyReference>('/v1/access-policies')
      : Promise.resolve(null),
  ]);
  if (!group) notFound();
  const created = searchValue((await searchParams).created) === '1';
  const members = (users?.items ?? [])
    .filter((user) => user.groupIds.includes(group.id))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const others = (users?.items ?? [])
    .filter((user) => !user.groupIds.includes(group.id))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const usedBy = (policies?.items ?? []).filter(
    (policy) =>
      policy.requesterGroupIds.includes(group.id) ||
      (policy.approval.mode === 'approval' && policy.approval.approverGroupIds?.includes(group.id)),
  );
  return (
    <>
      <nav aria-label="Breadcrumb" className="small">
        <Link href="/admin/groups" prefetch={false}>
          Groups
        </Link>{' '}
        / {group.name}
      </nav>
      <PageHeader title={group.name} description={group.description || undefined} />
      {created ? (
        <p className="notice notice-success" role="status">
          Group created. Add its members below.
        </p>
      ) : null}
      <section aria-labelledby="overview" className="card">
        <h2 id="overview">Overview</h2>
        <Definition
          items={[
            [
              'Roles its members get',
              group.roles.length ? (
                group.roles.map(roleLabel).join(', ')
              ) : (
                <span key="none" className="muted">
                  None
                </span>
              ),
            ],
            [
              'Members',
              users ? `${users.complete ? '' : 'at least '}${members.length}` : 'Not visible to you',
            ],
            ['Created', <Time key="created" value={group.createdAt} />],
          ]}
        />
        <p className="small muted">
          A group’s roles are set when it is created; its name and description can be changed. Adding or
          removing a member gives or takes away the group’s roles at that user’s next session refresh (within
          10 minutes); every change is recorded in the audit trail.
        </p>
      </section>

      {mayChange ? (
        <section aria-labelledby="edit" className={`card ${styles.narrow} ${styles.sectionSpacing}`}>
          <h2 id="edit">Edit</h2>
          <ActionForm
            action={updateGroupAction.bind(null, group.id)}
            csrf={session.csrfToken}
            label="Edit group"
            className="stack"
          >
            <Field
              name="name"
              label="Name"
              autoComplete="off"
              required
              defaultValue={group.name}
              hint="Unique in your organisation. Access policies that name this group show the new name."
            />
            <TextAreaField name="description" label="Description" rows={2} defaultValue={group.description} />
            <div className="button-row">
              <SubmitButton pendingLabel="Saving…">Save changes</SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}

      <section aria-labelledby="members">
        <h2 id="members">Members</h2>
        {!users ? (
          <p className="notice notice-info" role="status">
            Listing members needs the <code>user:read</code> permission.
          </p>
        ) : (
          <MembershipForm
            enabled={mayChange}
            action={removeMembershipAction}
            csrf={session.csrfToken}
            label="Members"
            fixed={{ name: 'groupId', value: group.id }}
          >
            {members.length === 0 ? (
              <EmptyState title="No members yet">
                {mayChange ? <p>Add users with the form below.</p> : null}
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Members of {group.name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">E-mail</th>
                      <th scope="col">Status</th>
                      {mayChange ? <th scope="col">Membership</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {members.map((user) => (
                      <tr key={user.id}>
                        <td>
                          <Link href={`/admin/users/${user.id}`} prefetch={false}>
                            {user.displayName}
                          </Link>
                        </td>
                        <td>{user.email}</td>
                        <td>
                          <StatusBadge status={user.status} />
                        </td>
                        {mayChange ? (
                          <td>
                            <RowSubmitButton name="userId" value={user.id} pendingLabel="Removing…">
                              Remove<span className="visually-hidden"> {user.displayName}</span>
                            </RowSubmitButton>
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </MembershipForm>
        )}
        {mayChange && users ? (
          others.length > 0 ? (
            <ActionForm
              action={addMembershipAction}
              csrf={session.csrfToken}
              label="Add a member"
              className={`${styles.inlineForm} ${styles.sectionSpacing}`}
            >
              <input type="hidden" name="groupId" value={group.id} />
              <SelectField
                name="userId"
                label="Add user"
                options={[
                  { value: '', label: 'Choose a user…' },
                  ...others.map((user) => ({
                    value: user.id,
                    label: `${user.displayName} (${user.email})${user.status === 'disabled' ? ', disabled' : ''}`,
                  })),
                ]}
              />
              <SubmitButton pendingLabel="Adding…">Add to {group.name}</SubmitButton>
            </ActionForm>
          ) : (
            <p className="muted">Every user of the tenant is already a member.</p>
          )
        ) : null}
      </section>

      {policies ? (
        <section aria-labelledby="policies">
          <h2 id="policies">Access policies that name this group</h2>
          {usedBy.length === 0 ? (
            <EmptyState title="No access policy names this group">
              <p>
                Members can request accounts only once a policy lists the group as requesters.{' '}
                <Link href="/admin/access-policies/new" prefetch={false}>
                  New access policy
                </Link>
              </p>
            </EmptyState>
          ) : (
            <ul className={styles.plainList}>
              {usedBy.map((policy) => (
                <li key={policy.id}>
                  <Link href={`/admin/access-policies/${policy.id}`} prefetch={false}>
                    {policy.name}
                  </Link>{' '}
                  <span className="muted small">
                    (
                    {[
                      policy.requesterGroupIds.includes(group.id) ? 'may request' : null,
                      policy.approval.mode === 'approval' &&
                      policy.approval.approverGroupIds?.includes(group.id)
                        ? 'approves'
                        : null,
                      policy.status === 'disabled' ? 'policy disabled' : null,
                    ]
                      .filter(Boolean)
                      .join(', ')}
                    )
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState, PageHeader, StatusBadge } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import { NoAccess } from '../users/_components/route-states';
import { listAll } from '../users/_lib/identity';
import { policyOptions } from './_lib/options';
import {
  type AccessPolicy,
  approvalText,
  formatMinutes,
  joinAnd,
  namesFrom,
  selectorText,
} from './_lib/policy';
import styles from './policy.module.css';

export const metadata: Metadata = { title: 'Access policies' };

export default async function AccessPoliciesPage() {
  const session = await requireSession();
  if (!can(session, 'access-policy:read'))
    return <NoAccess title="Access policies" permission="access-policy:read" />;
  const [policies, options] = await Promise.all([
    listAll<AccessPolicy>('/v1/access-policies'),
    policyOptions(session),
  ]);
  const names = namesFrom(options.groups, options.systems, options.accountGroups);
  const sorted = [...policies.items].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  const mayCreate = can(session, 'access-policy:create');
  return (
    <>
      <PageHeader
        title="Access policies"
        description="Who may request which accounts, who approves, when and from where, and what a release allows. When several active policies cover an account, the one with the lowest priority number applies unless the requester picks another."
        actions={
          mayCreate ? (
            <Link href="/admin/access-policies/new" className="button button-primary" prefetch={false}>
              New access policy
            </Link>
          ) : null
        }
      />
      {sorted.length === 0 ? (
        <EmptyState title="No access policies yet">
          <p>
            Without a policy nobody can request an account.
            {mayCreate ? (
              <>
                {' '}
                <Link href="/admin/access-policies/new" prefetch={false}>
                  Create the first policy
                </Link>
                .
              </>
            ) : null}
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>Access policies, by priority (lowest number first)</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Priority</th>
                <th scope="col">Status</th>
                <th scope="col">Who may request</th>
                <th scope="col">Which accounts</th>
                <th scope="col">Approval</th>
                <th scope="col">Release</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((policy) => (
                <tr key={policy.id}>
                  <td>
                    <Link href={`/admin/access-policies/${policy.id}`} prefetch={false}>
                      {policy.name}
                    </Link>
                  </td>
                  <td>{policy.priority}</td>
                  <td>
                    <StatusBadge status={policy.status} />
                  </td>
                  <td>{joinAnd(policy.requesterGroupIds.map(names.group))}</td>
                  <td>
                    <ul className={styles.summaryList}>
                      {policy.selectors.map((selector, index) => (
                        // Selectors have no id; their position in the policy is stable for a version.
                        // biome-ignore lint/suspicious/noArrayIndexKey: see above
                        <li key={index}>{selectorText(selector, names)}</li>
                      ))}
                    </ul>
                  </td>
                  <td>{approvalText(policy.approval, names)}</td>
                  <td>
                    {policy.release.type === 'reveal' ? 'Reveal' : 'Inject only'}, up to{' '}
                    {formatMinutes(policy.release.maxMinutes)}
                  </td>
                  <td>{policy.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!policies.complete ? (
        <p className="notice notice-info" role="status">
          Only the first {policies.items.length} policies are shown.
        </p>
      ) : null}
    </>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { FilterInput, FilterSelect } from '@/components/filter-fields';
import { EmptyState, ErrorNotice, PageHeader, Pagination, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import type { FieldErrors } from '@/lib/api-problem';
import { accountKindLabel, accountKinds, platformLabel, platforms } from '@/lib/inventory-terms';
import { attempt } from './_lib/attempt';
import { type Account, accountName, type Page, type RotationState, type System } from './_lib/model';
import { RotationBadge } from './_lib/rotation-badge';
import styles from './accounts.module.css';

export const metadata: Metadata = { title: 'Accounts' };

const pageSize = 50;
const systemChoices = 200;
const filterNames = [
  'systemId',
  'accountGroupId',
  'platform',
  'workgroup',
  'kind',
  'tag',
  'username',
] as const;
type FilterName = (typeof filterNames)[number];
type Filters = Partial<Record<FilterName, string>>;

const firstValue = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export default async function AccountsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const params = await searchParams;
  const filters: Filters = {};
  for (const name of filterNames) {
    const value = firstValue(params[name]);
    if (value) filters[name] = value;
  }
  const cursor = firstValue(params.cursor);
  // The filter form is a plain GET form, so it sends empty fields too; keep shared URLs clean.
  if (Object.values(params).some((value) => value === '')) {
    const clean = new URLSearchParams(filters);
    if (cursor) clean.set('cursor', cursor);
    const search = clean.toString();
    redirect(search ? `/accounts?${search}` : '/accounts');
  }
  const canRequest = can(session, 'access-request:create');

  const [accounts, systems] = await Promise.all([
    attempt(api<Page<Account>>('/v1/accounts', { query: { ...filters, limit: pageSize, cursor } })),
    can(session, 'system:read')
      ? attempt(api<Page<System>>('/v1/systems', { query: { limit: systemChoices } }))
      : Promise.resolve(null),
  ]);
  const filtered = Object.keys(filters).length > 0;
  const filterErrors: FieldErrors = accounts.ok ? {} : accounts.problem.fieldErrors;

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Privileged accounts on the systems your organisation manages. Open one to see its details or to ask for access."
      />
      <FilterForm
        filters={filters}
        systems={systems?.ok ? systems.value.items : null}
        moreSystems={Boolean(systems?.ok && systems.value.nextCursor)}
        currentSystemName={accounts.ok ? accounts.value.items[0]?.systemName : undefined}
        errors={filterErrors}
      />
      {systems && !systems.ok ? (
        <p className="notice notice-info" role="status">
          The list of systems could not be loaded ({systems.problem.detail || systems.problem.title}); the
          other filters still work.
        </p>
      ) : null}
      {!accounts.ok ? (
        <ErrorNotice
          title={accounts.problem.status === 400 ? 'Check the filters' : 'Accounts could not be loaded'}
        >
          <p>{accounts.problem.detail || accounts.problem.title}</p>
        </ErrorNotice>
      ) : accounts.value.items.length === 0 ? (
        <EmptyState title={filtered ? 'No accounts match these filters' : 'No accounts yet'}>
          {filtered ? (
            <p>
              Try fewer filters, or{' '}
              <Link href="/accounts" prefetch={false}>
                show all accounts
              </Link>
              .
            </p>
          ) : (
            <p>Accounts appear here once an administrator onboards systems and their accounts.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <AccountTable accounts={accounts.value.items} canRequest={canRequest} filtered={filtered} />
          <Pagination
            basePath="/accounts"
            params={filters}
            nextCursor={accounts.value.nextCursor}
            hasPrevious={Boolean(cursor)}
          />
        </>
      )}
    </>
  );
}

function FilterForm({
  filters,
  systems,
  moreSystems,
  currentSystemName,
  errors,
}: {
  filters: Filters;
  systems: readonly System[] | null;
  moreSystems: boolean;
  currentSystemName: string | undefined;
  errors: FieldErrors;
}) {
  const systemOptions = [...(systems ?? [])]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((system) => ({ value: system.id, label: system.name }));
  if (filters.systemId && !systemOptions.some((option) => option.value === filters.systemId)) {
    systemOptions.unshift({ value: filters.systemId, label: currentSystemName ?? filters.systemId });
  }
  return (
    <form
      method="get"
      action="/accounts"
      className={`filters ${styles.filters}`}
      aria-label="Filter accounts"
    >
      {filters.accountGroupId ? (
        <input type="hidden" name="accountGroupId" value={filters.accountGroupId} />
      ) : null}
      {systems !== null || filters.systemId ? (
        <FilterSelect
          name="systemId"
          label="System"
          value={filters.systemId}
          error={errors.systemId}
          anyLabel="All systems"
          options={systemOptions}
          hint={moreSystems ? `First ${systemChoices} systems` : undefined}
        />
      ) : null}
      <FilterSelect
        name="platform"
        label="Platform"
        value={filters.platform}
        error={errors.platform}
        anyLabel="All platforms"
        options={platforms.map((platform) => ({ value: platform, label: platformLabel(platform) }))}
      />
      <FilterSelect
        name="kind"
        label="Kind"
        value={filters.kind}
        error={errors.kind}
        anyLabel="All kinds"
        options={accountKinds.map((kind) => ({ value: kind, label: accountKindLabel(kind) }))}
      />
      <FilterInput
        name="workgroup"
        label="Workgroup"
        type="search"
        defaultValue={filters.workgroup ?? ''}
        error={errors.workgroup}
      />
      <FilterInput name="tag" label="Tag" type="search" defaultValue={filters.tag ?? ''} error={errors.tag} />
      <FilterInput
        name="username"
        label="User name starts with"
        type="search"
        defaultValue={filters.username ?? ''}
        error={errors.username}
        autoComplete="off"
      />
      <div className="button-row">
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
        {Object.keys(filters).length > 0 ? (
          <Link href="/accounts" className="button button-secondary" prefetch={false}>
            Clear filters
          </Link>
        ) : null}
      </div>
    </form>
  );
}

function AccountTable({
  accounts,
  canRequest,
  filtered,
}: {
  accounts: readonly Account[];
  canRequest: boolean;
  filtered: boolean;
}) {
  return (
    <div className="table-wrap">
      <table>
        <caption>
          {filtered ? 'Accounts matching the filters' : 'All accounts'}
          <span className="muted small"> (up to {pageSize} per page)</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">System</th>
            <th scope="col">Platform</th>
            <th scope="col">Kind</th>
            <th scope="col">Rotation</th>
            <th scope="col">Credential last changed</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((account) => {
            const name = accountName(account);
            const href = `/accounts/${encodeURIComponent(account.id)}`;
            return (
              <tr key={account.id}>
                <td>
                  <span className={styles.accountName}>{name}</span>
                  {account.description ? (
                    <span className="muted small">
                      <br />
                      {account.description}
                    </span>
                  ) : null}
                </td>
                <td>
                  {account.systemName}
                  <span className="muted small">
                    <br />
                    {account.workgroup}
                    {account.tags.length > 0 ? ` · ${account.tags.join(', ')}` : ''}
                  </span>
                </td>
                <td>{platformLabel(account.platform)}</td>
                <td>{accountKindLabel(account.kind)}</td>
                <td>
                  <RotationCell state={account.rotationState} />
                </td>
                <td>
                  <Time value={account.credential.updatedAt} />
                </td>
                <td>
                  <div className={styles.rowActions}>
                    <Link href={href} prefetch={false}>
                      Details<span className="visually-hidden"> of {name}</span>
                    </Link>
                    {canRequest ? (
                      <Link href={`${href}/request`} prefetch={false}>
                        Request access<span className="visually-hidden"> to {name}</span>
                      </Link>
                    ) : null}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RotationCell({ state }: { state: RotationState | undefined }) {
  if (!state) return <span className="muted">—</span>;
  return (
    <>
      <RotationBadge status={state.status} />
      {state.nextDueAt ? (
        <span className="muted small">
          <br />
          Next due <Time value={state.nextDueAt} />
        </span>
      ) : null}
    </>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { FilterInput, FilterSelect } from '@/components/filter-fields';
import { EmptyState, ErrorNotice, PageHeader, Pagination, Time } from '@/components/ui';
import { ApiProblem, api, can, requireSession } from '@/lib/api';
import { platformLabel, platforms } from '@/lib/inventory-terms';
import type { Page, System } from './inventory';

export const metadata: Metadata = { title: 'Systems' };

type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

export default async function SystemsPage({ searchParams }: { searchParams: Search }) {
  const session = await requireSession();
  const search = await searchParams;
  const filters = {
    platform: one(search.platform),
    workgroup: one(search.workgroup),
    tag: one(search.tag),
  };
  const cursor = one(search.cursor);
  const deleted = one(search.deleted);
  const filtered = Object.values(filters).some(Boolean);

  let page: Page<System> | null = null;
  let problem: ApiProblem | null = null;
  try {
    page = await api<Page<System>>('/v1/systems', { query: { ...filters, cursor, limit: 50 } });
  } catch (error) {
    if (!(error instanceof ApiProblem)) throw error;
    problem = error;
  }

  return (
    <>
      <PageHeader
        title="Systems"
        description="Every server, database, directory and application whose privileged accounts Strongroom holds."
        actions={
          <>
            {can(session, 'system:create') ? (
              <Link href="/admin/systems/new" className="button button-primary" prefetch={false}>
                New system
              </Link>
            ) : null}
            {can(session, 'system:create') && can(session, 'account:create') ? (
              <Link href="/admin/import" className="button button-secondary" prefetch={false}>
                Import from CSV
              </Link>
            ) : null}
          </>
        }
      />
      {deleted ? (
        <p className="notice notice-success" role="status">
          System “{deleted}” was deleted.
        </p>
      ) : null}
      <form className="filters" method="get" action="/admin/systems" aria-label="Filter systems">
        <FilterSelect
          name="platform"
          label="Platform"
          value={filters.platform}
          anyLabel="Any platform"
          options={platforms.map((platform) => ({ value: platform, label: platformLabel(platform) }))}
        />
        <FilterInput name="workgroup" label="Workgroup" defaultValue={filters.workgroup ?? ''} />
        <FilterInput name="tag" label="Tag" defaultValue={filters.tag ?? ''} />
        <div className="button-row">
          <button type="submit" className="button button-secondary">
            Filter
          </button>
          {filtered ? (
            <Link href="/admin/systems" prefetch={false}>
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>

      {problem ? (
        <ErrorNotice title="The systems could not be listed">
          <p>{problem.detail || problem.title}</p>
        </ErrorNotice>
      ) : page && page.items.length === 0 ? (
        <EmptyState title={filtered ? 'No system matches these filters' : 'No systems yet'}>
          {filtered ? (
            <p>Change or clear the filters.</p>
          ) : (
            <p>Onboard a system, or import systems and their accounts from a CSV file.</p>
          )}
        </EmptyState>
      ) : page ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>{filtered ? 'Systems matching the filters' : 'All systems'}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Address</th>
                  <th scope="col">Platform</th>
                  <th scope="col">Workgroup</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Accounts</th>
                  <th scope="col">Onboarded</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((system) => (
                  <tr key={system.id}>
                    <td>
                      <Link href={`/admin/systems/${system.id}`} prefetch={false}>
                        {system.name}
                      </Link>
                    </td>
                    <td className="mono">{system.hostname ?? system.ipAddress ?? '—'}</td>
                    <td>{platformLabel(system.platform)}</td>
                    <td>{system.workgroup}</td>
                    <td>
                      {system.tags.length ? (
                        system.tags.map((tag) => (
                          <span key={tag} className="badge badge-neutral">
                            {tag}
                          </span>
                        ))
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>{system.accountCount}</td>
                    <td>
                      <Time value={system.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            basePath="/admin/systems"
            params={filters}
            nextCursor={page.nextCursor}
            hasPrevious={Boolean(cursor)}
          />
        </>
      ) : null}
    </>
  );
}

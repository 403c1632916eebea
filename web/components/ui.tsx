import Link from 'next/link';
import type { ReactNode } from 'react';

/** Server-rendered building blocks shared by every page. */

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export function ErrorNotice({
  title = 'Something went wrong',
  children,
}: {
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      {children}
    </div>
  );
}

const statusTones: Record<string, string> = {
  requested: 'pending',
  approved: 'info',
  active: 'success',
  denied: 'danger',
  revoked: 'danger',
  expired: 'muted',
  cancelled: 'muted',
  'checked-in': 'muted',
  failing: 'danger',
  ok: 'success',
  succeeded: 'success',
  failed: 'danger',
  running: 'info',
  disabled: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${statusTones[status] ?? 'neutral'}`}>{status}</span>;
}

/** "Next page" by the API's opaque cursor; the first page is the URL without one. */
export function Pagination({
  basePath,
  params,
  nextCursor,
  hasPrevious,
}: {
  basePath: string;
  params: Record<string, string | undefined>;
  nextCursor: string | null | undefined;
  hasPrevious: boolean;
}) {
  const href = (cursor?: string) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value && key !== 'cursor') search.set(key, value);
    if (cursor) search.set('cursor', cursor);
    const text = search.toString();
    return text ? `${basePath}?${text}` : basePath;
  };
  if (!nextCursor && !hasPrevious) return null;
  return (
    <nav className="pagination" aria-label="Pages">
      {hasPrevious ? (
        <Link href={href()} prefetch={false}>
          First page
        </Link>
      ) : null}
      {nextCursor ? (
        <Link href={href(nextCursor)} prefetch={false} rel="next">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** A timestamp shown in UTC with the machine-readable value in <time>. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <time dateTime={value}>{`${dateTime.format(new Date(value))} UTC`}</time>;
}

export function Definition({ items }: { items: readonly [string, ReactNode][] }) {
  return (
    <dl className="definition-list">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

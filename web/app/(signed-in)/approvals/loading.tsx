import { PageHeader } from '@/components/ui';

export default function ApprovalsLoading() {
  return (
    <>
      <PageHeader title="Approvals" />
      <p role="status" className="muted">
        Loading requests waiting for you and your recent decisions …
      </p>
      <div className="stack" aria-hidden="true">
        {['first', 'second', 'third'].map((key) => (
          <div key={key} className="card stack">
            <div className="skeleton" />
            <div className="skeleton" />
            <div className="skeleton" />
          </div>
        ))}
      </div>
    </>
  );
}

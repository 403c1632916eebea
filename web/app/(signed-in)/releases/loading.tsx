import { PageHeader } from '@/components/ui';

export default function MyAccessLoading() {
  return (
    <>
      <PageHeader title="My access" />
      <p role="status" className="muted">
        Loading your access …
      </p>
      <div className="stack" aria-hidden="true">
        <div className="grid">
          {['first', 'second'].map((key) => (
            <div key={key} className="card stack">
              <div className="skeleton" />
              <div className="skeleton" />
              <div className="skeleton" />
            </div>
          ))}
        </div>
        {['a', 'b', 'c', 'd', 'e'].map((key) => (
          <div key={key} className="skeleton" />
        ))}
      </div>
    </>
  );
}

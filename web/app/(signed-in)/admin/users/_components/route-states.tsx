import styles from './admin.module.css';

/** What a route of the access-control admin pages shows while its data loads. */
export function LoadingPage({ title, what, rows = 5 }: { title: string; what: string; rows?: number }) {
  return (
    <div className="stack" aria-busy="true">
      <h1>{title}</h1>
      <p role="status" className="muted">
        Loading {what}…
      </p>
      <div className={styles.skeletonTable} aria-hidden="true">
        {Array.from({ length: rows }, (_, row) => `row-${row}`).map((key) => (
          <div key={key} className={`skeleton ${styles.skeletonRow}`} />
        ))}
      </div>
    </div>
  );
}

/** Shown instead of a page the signed-in user's roles do not let them use. */
export function NoAccess({ title, permission }: { title: string; permission: string }) {
  return (
    <div className="stack">
      <h1>{title}</h1>
      <div className="notice notice-info" role="status">
        <p className="notice-title">Not available with your roles</p>
        <p>
          This page needs the <code>{permission}</code> permission. A tenant administrator can grant it
          through a role, directly or through a group.
        </p>
      </div>
    </div>
  );
}

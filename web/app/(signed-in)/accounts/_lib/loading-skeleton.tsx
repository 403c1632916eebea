import styles from './skeleton.module.css';

/** Placeholder while a page of the Accounts section loads; the words are for screen readers too. */
export function LoadingSkeleton({
  label,
  rows = 6,
  blocks = 0,
}: {
  label: string;
  rows?: number;
  blocks?: number;
}) {
  return (
    <div aria-busy="true">
      <p role="status" className="muted">
        {label}
      </p>
      <div className={`skeleton ${styles.title}`} aria-hidden="true" />
      {placeholders('block', blocks).map((key) => (
        <div key={key} className={`skeleton ${styles.block}`} aria-hidden="true" />
      ))}
      {placeholders('row', rows).map((key) => (
        <div key={key} className={`skeleton ${styles.bar}`} aria-hidden="true" />
      ))}
    </div>
  );
}

/** Stable keys for a fixed number of placeholders (they never move). */
function placeholders(kind: string, count: number): string[] {
  return Array.from({ length: count }, (_, position) => `${kind}-${position + 1}`);
}

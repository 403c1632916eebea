import styles from './loading.module.css';

export default function AuditLoading() {
  return (
    <div className="stack" aria-busy="true">
      <p role="status">Loading the audit trail…</p>
      <div className={`skeleton ${styles.card}`} />
      <div className={`skeleton ${styles.filters}`} />
      {Array.from({ length: 8 }, (_, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
        <div key={row} className={`skeleton ${styles.row}`} />
      ))}
    </div>
  );
}

import { StatusBadge } from '@/components/ui';
import type { Account } from './inventory';
import styles from './inventory.module.css';

export function Tags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <span className={styles.tags}>
      {tags.map((tag) => (
        <span key={tag} className="badge badge-neutral">
          {tag}
        </span>
      ))}
    </span>
  );
}

const rotationStatusLabels: Record<Account['rotationState']['status'], string> = {
  never: 'never rotated',
  ok: 'ok',
  rotating: 'rotating',
  failing: 'failing',
};

export function RotationStatus({ account }: { account: Pick<Account, 'rotation' | 'rotationState'> }) {
  if (!account.rotation.enabled && account.rotationState.status === 'never') {
    return <span className="muted">Off</span>;
  }
  return <StatusBadge status={rotationStatusLabels[account.rotationState.status]} />;
}

export function CredentialState({ account }: { account: Pick<Account, 'credential'> }) {
  return account.credential.currentVersion === null ? (
    <span className="badge badge-pending">not set</span>
  ) : (
    <span>version {account.credential.currentVersion}</span>
  );
}

import { rotationStatusName } from './model';

const rotationTones: Record<string, string> = {
  ok: 'success',
  failing: 'danger',
  rotating: 'info',
  never: 'neutral',
};

/** The rotation status as words in a badge (the colour only repeats what the words say). */
export function RotationBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${rotationTones[status] ?? 'neutral'}`}>{rotationStatusName(status)}</span>
  );
}

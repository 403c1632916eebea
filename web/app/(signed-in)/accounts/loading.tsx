import { LoadingSkeleton } from './_lib/loading-skeleton';

export default function AccountsLoading() {
  return <LoadingSkeleton label="Loading accounts…" rows={8} />;
}

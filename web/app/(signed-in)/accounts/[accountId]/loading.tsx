import { LoadingSkeleton } from '../_lib/loading-skeleton';

export default function AccountLoading() {
  return <LoadingSkeleton label="Loading the account…" rows={2} blocks={3} />;
}

import { LoadingSkeleton } from '../../_lib/loading-skeleton';

export default function RequestAccessLoading() {
  return <LoadingSkeleton label="Loading your access options…" rows={3} blocks={1} />;
}

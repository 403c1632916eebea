/** A stable bucket in `0 … buckets-1` for an id (a 31-multiplier string hash): the same id, the same bucket, everywhere. */
export function bucketOf(id: string, buckets: number): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % buckets;
}

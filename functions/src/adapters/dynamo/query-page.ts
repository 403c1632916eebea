import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Page } from '@strongroom/shared/kernel/page';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { recordOf } from './keys.ts';

/** DynamoDB pages read per list call at most, so a very selective filter cannot run unbounded. */
const maxPagesPerCall = 10;

/**
 * Reads one page of a tenant's list: follows DynamoDB pages until `limit` items passed the filter
 * (or the read budget is spent), and returns a cursor that resumes exactly after the last item
 * returned. The cursor is validated against the tenant's partition prefix.
 */
export async function queryPage<T>(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  options: {
    tenantPrefix: string;
    limit: number;
    cursor?: string | undefined;
    keyAttributes: readonly string[];
  },
): Promise<Page<T>> {
  const items: T[] = [];
  let startKey = decodeCursor(options.cursor, options.tenantPrefix);
  let lastKey: Record<string, string | number> | undefined;
  for (let pages = 0; pages < maxPagesPerCall; pages++) {
    const want = options.limit - items.length;
    const page = await client.send(
      new QueryCommand({
        ...input,
        Limit: input.FilterExpression ? Math.max(want * 4, 50) : want,
        ExclusiveStartKey: startKey,
      }),
    );
    const pageItems = page.Items ?? [];
    let consumed = 0;
    for (const item of pageItems) {
      if (items.length === options.limit) break;
      items.push(recordOf<T>(item) as T);
      lastKey = Object.fromEntries(options.keyAttributes.map((name) => [name, item[name] as string]));
      consumed++;
    }
    startKey = page.LastEvaluatedKey as typeof startKey;
    if (items.length === options.limit) {
      const more = consumed < pageItems.length || startKey !== undefined;
      // Resume after the last item handed out, not after the last item DynamoDB evaluated.
      return more ? { items, nextCursor: encodeCursor(lastKey) } : { items };
    }
    if (!startKey) return { items };
  }
  return { items, nextCursor: encodeCursor(startKey) };
}

import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import type { Page } from '@strongroom/shared/kernel/page';
import { type DynamoKey, decodeCursor, encodeCursor } from './cursor.ts';
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
  let startKey = resumeKey(input, options);
  let lastKey: Record<string, string | number> | undefined;
  for (let pages = 0; pages < maxPagesPerCall; pages++) {
    const want = options.limit - items.length;
    const fromCursor = pages === 0 && startKey !== undefined;
    const page = await client
      .send(
        new QueryCommand({
          ...input,
          Limit: input.FilterExpression ? Math.max(want * 4, 50) : want,
          ExclusiveStartKey: startKey,
        }),
      )
      .catch((error: unknown) => {
        // A cursor of another list of the same partition (outside this query's sort-key range).
        if (fromCursor && error instanceof Error && error.name === 'ValidationException') throw notOurs();
        throw error;
      });
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

const notOurs = () => ValidationError.field(['query', 'cursor'], 'is not a cursor this list returned');

/**
 * The cursor's key, if it can resume this query: it names exactly this list's key attributes,
 * belongs to the caller's tenant and lies in the partition being queried. A cursor of another
 * list (another requester's, the approvals inbox's, …) is bad input, never a 500.
 */
function resumeKey(
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  options: { tenantPrefix: string; cursor?: string | undefined; keyAttributes: readonly string[] },
): DynamoKey | undefined {
  const key = decodeCursor(options.cursor, options.tenantPrefix);
  if (!key) return undefined;
  const names = Object.keys(key);
  if (names.length !== options.keyAttributes.length || !options.keyAttributes.every((name) => name in key)) {
    throw notOurs();
  }
  const partitionAttribute = input.IndexName ? `${input.IndexName}pk` : 'pk';
  const partition = /^\s*(\w+)\s*=\s*(:\w+)/.exec(input.KeyConditionExpression ?? '');
  if (partition?.[1] === partitionAttribute && partition[2]) {
    const queried = input.ExpressionAttributeValues?.[partition[2]];
    if (queried !== undefined && key[partitionAttribute] !== queried) throw notOurs();
  }
  return key;
}

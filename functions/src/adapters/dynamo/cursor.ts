import { ValidationError } from '@strongroom/shared/kernel/errors';

/**
 * Opaque pagination cursors. A cursor is a DynamoDB key, base64url-encoded. On the way back in it
 * is checked against the caller's tenant: every partition-key attribute must belong to the
 * tenant taken from the verified token, so a forged cursor can never read another tenant's items.
 */
export type DynamoKey = Record<string, string | number>;

export function encodeCursor(key: DynamoKey | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined, tenantPrefix: string): DynamoKey | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const entries = Object.entries(key as Record<string, unknown>);
      const wellFormed = entries.every(
        ([name, value]) =>
          (typeof value === 'string' || typeof value === 'number') &&
          (!name.endsWith('pk') || (typeof value === 'string' && belongsTo(value, tenantPrefix))),
      );
      if (wellFormed && entries.length > 0) return key as DynamoKey;
    }
  } catch {
    // fall through
  }
  throw ValidationError.field(['query', 'cursor'], 'is not a cursor this list returned');
}

const belongsTo = (value: string, prefix: string) => value === prefix || value.startsWith(`${prefix}#`);

/**
 * Key layout of the main table (see docs/architecture.md, "Data model").
 * Every tenant-owned item lives under `pk = T#<tenantId>`; the sort key names its type.
 * Uniqueness claims (`*_NAME#…`, `USER_EMAIL#…`) are separate items written in the same
 * transaction as the object, with `attribute_not_exists`, so duplicates are refused atomically.
 */
export const tenantPartition = (tenantId: string) => `T#${tenantId}`;

export const keys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  tenantSlug: (slug: string) => ({ pk: `TENANT_SLUG#${slug}`, sk: 'TENANT_SLUG' }),
  user: (tenantId: string, userId: string) => ({ pk: tenantPartition(tenantId), sk: `USER#${userId}` }),
  userEmail: (tenantId: string, email: string) => ({
    pk: tenantPartition(tenantId),
    sk: `USER_EMAIL#${email}`,
  }),
  group: (tenantId: string, groupId: string) => ({ pk: tenantPartition(tenantId), sk: `GROUP#${groupId}` }),
  groupName: (tenantId: string, name: string) => ({
    pk: tenantPartition(tenantId),
    sk: `GROUP_NAME#${name.toLowerCase()}`,
  }),
  session: (tenantId: string, sessionId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `SESSION#${sessionId}`,
  }),
  refreshToken: (tokenHash: string) => ({ pk: `RT#${tokenHash}`, sk: 'RT' }),
  system: (tenantId: string, systemId: string) => ({ pk: tenantPartition(tenantId), sk: `SYS#${systemId}` }),
  systemName: (tenantId: string, name: string) => ({
    pk: tenantPartition(tenantId),
    sk: `SYS_NAME#${name.toLowerCase()}`,
  }),
  account: (tenantId: string, accountId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `ACC#${accountId}`,
  }),
  accountName: (tenantId: string, systemId: string, username: string) => ({
    pk: tenantPartition(tenantId),
    sk: `ACC_NAME#${systemId}#${username.toLowerCase()}`,
  }),
  credentialVersion: (tenantId: string, accountId: string, version: number) => ({
    pk: tenantPartition(tenantId),
    sk: `CRED#${accountId}#${String(version).padStart(8, '0')}`,
  }),
  passwordPolicy: (tenantId: string, policyId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `PWP#${policyId}`,
  }),
  defaultPasswordPolicy: (tenantId: string) => ({ pk: tenantPartition(tenantId), sk: 'PWP_DEFAULT' }),
  signingKey: (keyId: string) => ({ pk: 'PLATFORM', sk: `SIGNING_KEY#${keyId}` }),
  currentSigningKey: () => ({ pk: 'PLATFORM', sk: 'SIGNING_KEY_CURRENT' }),
};

/** Audit table: one partition per tenant lane; events sorted by time then sequence. */
export const auditKeys = {
  lane: (tenantId: string, lane: number) => `T#${tenantId}#L#${String(lane).padStart(2, '0')}`,
  head: (tenantId: string, lane: number) => ({ pk: auditKeys.lane(tenantId, lane), sk: 'HEAD' }),
  eventSortKey: (time: string, seq: number) => `E#${time}#${String(seq).padStart(12, '0')}`,
  byActor: (tenantId: string, actorId: string) => `T#${tenantId}#ACTOR#${actorId}`,
  byTarget: (tenantId: string, targetId: string) => `T#${tenantId}#TARGET#${targetId}`,
};

/** DynamoDB TTL wants epoch seconds. */
export const ttlOf = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/** Strips the key and index attributes an item carries, leaving the record. */
export function recordOf<T>(item: Record<string, unknown> | undefined): T | null {
  if (!item) return null;
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    ttl: _ttl,
    entity: _entity,
    ...record
  } = item;
  return record as T;
}

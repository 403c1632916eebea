import { bucketOf } from '@strongroom/shared/kernel/buckets';
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
  /** Membership of a user in a group (the user item holds `groupIds`; this answers "who is in it"). */
  groupMember: (tenantId: string, groupId: string, userId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `GROUP_MEMBER#${groupId}#${userId}`,
  }),
  /** gsi2 partition of users by the local part of their email. */
  userLocalName: (tenantId: string, localName: string) =>
    `${tenantPartition(tenantId)}#ULOCAL#${localName.toLowerCase()}`,
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
  /** One per normalized address of a system (`host:…`, `short:…`, `ip:…`, `url:…`, see target-address.ts). */
  systemAddress: (tenantId: string, addressKey: string, systemId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `SYS_ADDR#${addressKey}#${systemId}`,
  }),
  /** Sort-key prefix of every system filed under one address key. */
  systemAddressPrefix: (addressKey: string) => `SYS_ADDR#${addressKey}#`,
  accountGroup: (tenantId: string, groupId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `AGR#${groupId}`,
  }),
  accountGroupName: (tenantId: string, name: string) => ({
    pk: tenantPartition(tenantId),
    sk: `AGR_NAME#${name.toLowerCase()}`,
  }),
  accountGroupMember: (tenantId: string, groupId: string, accountId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `AGR_MEM#${groupId}#${accountId}`,
  }),
  /** Sort-key prefix of a group's membership items, in account id order. */
  accountGroupMemberPrefix: (groupId: string) => `AGR_MEM#${groupId}#`,
  accessPolicy: (tenantId: string, policyId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `APOL#${policyId}`,
  }),
  accessPolicyVersion: (tenantId: string, policyId: string, version: number) => ({
    pk: tenantPartition(tenantId),
    sk: `APOL_VER#${policyId}#${String(version).padStart(8, '0')}`,
  }),
  accessPolicyName: (tenantId: string, name: string) => ({
    pk: tenantPartition(tenantId),
    sk: `APOL_NAME#${name.toLowerCase()}`,
  }),
  /** The tenant's policy-set version: bumped with every policy change (evaluator cache key). */
  accessPolicySet: (tenantId: string) => ({ pk: tenantPartition(tenantId), sk: 'APOL_SET' }),
  accessRequest: (tenantId: string, requestId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `REQ#${requestId}`,
  }),
  /** Pointer to a request still waiting for decisions (approvers' inbox). */
  pendingRequest: (tenantId: string, requestId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `REQ_PENDING#${requestId}`,
  }),
  /** gsi1 partition of a requester's requests. */
  requestsOf: (tenantId: string, userId: string) => `${tenantPartition(tenantId)}#REQBY#${userId}`,
  /** An approver's decision on a request (one per approver and request); filed under `decisionsBy`. */
  requestDecision: (tenantId: string, requestId: string, approverId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `REQ_DECISION#${requestId}#${approverId}`,
  }),
  /** gsi1 partition of an approver's decisions, sorted by `<decidedAt>#<requestId>`. */
  decisionsBy: (tenantId: string, approverId: string) =>
    `${tenantPartition(tenantId)}#DECIDEDBY#${approverId}`,
  /** Holder of an account's exclusive release. */
  releaseLock: (tenantId: string, accountId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `ACCLOCK#${accountId}`,
  }),
  notification: (tenantId: string, userId: string, notificationId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `NTF#${userId}#${notificationId}`,
  }),
  /** gsi2 partitions (sharded, across tenants) of requests by the deadline at which they lapse. */
  deadlineShard: (shard: number) => `DEADLINE#${shard}`,
  /** gsi2 partitions (sharded, across tenants) of accounts by the time their scheduled rotation is due. */
  rotationDueShard: (shard: number) => `ROTDUE#${shard}`,
  rotation: (tenantId: string, rotationId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `ROT#${rotationId}`,
  }),
  /** gsi1 partition of an account's rotations, by start time. */
  rotationsOf: (tenantId: string, accountId: string) => `${tenantPartition(tenantId)}#ROTACC#${accountId}`,
  /** Pointer while an account's rotation is failing (`listFailingRotations`). */
  failingRotation: (tenantId: string, accountId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `ROTFAIL#${accountId}`,
  }),
  /** Domain events committed with a change and not yet acknowledged by the queue. */
  outbox: (shard: number, at: string, eventId: string) => ({ pk: `OUTBOX#${shard}`, sk: `${at}#${eventId}` }),
  signingKey: (keyId: string) => ({ pk: 'PLATFORM', sk: `SIGNING_KEY#${keyId}` }),
  currentSigningKey: () => ({ pk: 'PLATFORM', sk: 'SIGNING_KEY_CURRENT' }),
};

export const rotationDueShards = 8;
/** Spreads accounts over the due-index shards by a stable hash of their id. */
export const rotationDueShardOf = (accountId: string): number => bucketOf(accountId, rotationDueShards);

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

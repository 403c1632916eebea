import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ReleaseEndedEvent } from '@strongroom/shared/contracts/domain-events';
import { domainEventsQueue } from '@strongroom/shared/platform/resources';
import { type Harness, type TestTenant, uniqueSuffix } from './api-harness.ts';

/**
 * A small access-workflow world for integration tests: a system with two accounts holding known
 * passwords, a requester group and an approver group without roles, and helpers to make people.
 */
export interface AccessWorld {
  readonly tenant: TestTenant;
  readonly systemId: string;
  readonly hostname: string;
  readonly accountId: string;
  readonly secondAccountId: string;
  readonly password: string;
  readonly requesterGroupId: string;
  readonly approverGroupId: string;
  person(
    roles: readonly ('requester' | 'integration' | 'tenant-admin')[],
    groups: readonly string[],
  ): Promise<Person>;
  policy(body: Record<string, unknown>): Promise<{ id: string; version: number }>;
}

export interface Person {
  readonly id: string;
  readonly email: string;
  /** To sign in again (a token issued before a test moves its clock far ahead has expired). */
  readonly password: string;
  readonly token: string;
}

export async function createAccessWorld(harness: Harness, prefix: string): Promise<AccessWorld> {
  const tenant = await harness.newTenant(prefix);
  const token = tenant.adminToken;
  const ok = async <T = { id: string }>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await harness.call<T>(method, path, { token, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
  const hostname = `db-${uniqueSuffix()}.corp.example`;
  const system = await ok('POST', '/v1/systems', {
    name: `db ${uniqueSuffix()}`,
    hostname,
    platform: 'linux',
  });
  const password = `Access-${uniqueSuffix()}-Secret!`;
  const account = await ok('POST', '/v1/accounts', { systemId: system.id, username: 'root', kind: 'local' });
  await ok('POST', `/v1/accounts/${account.id}/credential`, { password });
  const second = await ok('POST', '/v1/accounts', { systemId: system.id, username: 'oracle', kind: 'local' });
  await ok('POST', `/v1/accounts/${second.id}/credential`, { password: `${password}-2` });
  const requesterGroup = await ok('POST', '/v1/groups', { name: `Requesters ${uniqueSuffix()}`, roles: [] });
  const approverGroup = await ok('POST', '/v1/groups', { name: `Approvers ${uniqueSuffix()}`, roles: [] });
  return {
    tenant,
    systemId: system.id,
    hostname,
    accountId: account.id,
    secondAccountId: second.id,
    password,
    requesterGroupId: requesterGroup.id,
    approverGroupId: approverGroup.id,
    async person(roles, groups) {
      const user = await tenant.userWithRoles(roles);
      for (const groupId of groups) await ok('PUT', `/v1/groups/${groupId}/members/${user.id}`);
      return user;
    },
    policy: (body) =>
      ok<{ id: string; version: number }>('POST', '/v1/access-policies', {
        name: `Policy ${uniqueSuffix()}`,
        requesterGroupIds: [requesterGroup.id],
        selectors: [{ type: 'system', systemId: system.id }],
        ...body,
      }),
  };
}

/** Reads the domain-events queue until an event about `releaseId` arrives (or the time is up). */
export async function awaitReleaseEnded(releaseId: string, timeoutMs = 30_000): Promise<ReleaseEndedEvent> {
  const sqs = new SQSClient({});
  const queueUrl = process.env[domainEventsQueue.envVar];
  if (!queueUrl) throw new Error('no events queue in the environment');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 3,
      }),
    );
    for (const message of Messages) {
      const event = JSON.parse(message.Body ?? '{}') as ReleaseEndedEvent;
      if (event.releaseId === releaseId) return event;
    }
  }
  throw new Error(`no release.ended event for ${releaseId}`);
}

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type AccessWorld, createAccessWorld, type Person } from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';

/**
 * GET /v1/access-options/{accountId}: what the portal's request form shows before anyone asks —
 * which policies cover the caller for an account, best first, who must approve (by group name),
 * the release bounds, and whether the conditions allow a request right now.
 */
let harness: Harness;
let world: AccessWorld;
let requester: Person;
let outsider: Person;

before(async () => {
  harness = await createHarness();
  world = await createAccessWorld(harness, 'access-options');
  requester = await world.person(['requester'], [world.requesterGroupId]);
  outsider = await world.person(['requester'], []);
});

describe('access options', () => {
  it('lists the covering policies best first, with approver group names, bounds and availability', async () => {
    const dual = await world.policy({
      priority: 10,
      approval: { mode: 'approval', requiredApprovals: 2, approverGroupIds: [world.approverGroupId] },
      release: { defaultMinutes: 30, maxMinutes: 120, ticket: { required: true, pattern: '^CHG\\d+$' } },
    });
    const office = await world.policy({
      priority: 20,
      approval: { mode: 'auto' },
      conditions: { timezone: 'UTC', sourceCidrs: ['198.51.100.0/24'] },
      release: { type: 'inject', requireReason: false },
    });
    const options = await harness.call<any>('GET', `/v1/access-options/${world.accountId}`, {
      token: requester.token,
    });
    assert.equal(options.status, 200, options.text);
    assert.equal(options.body.accountId, world.accountId);
    assert.match(options.body.accountName, /^root@/);
    assert.deepEqual(
      options.body.options.map((o: any) => o.policyId),
      [dual.id, office.id],
    );
    const [first, second] = options.body.options;
    assert.equal(first.approval.mode, 'approval');
    assert.equal(first.approval.requiredApprovals, 2);
    assert.deepEqual(
      first.approval.approverGroups.map((g: any) => g.id),
      [world.approverGroupId],
    );
    assert.match(first.approval.approverGroups[0].name, /^Approvers /);
    assert.equal(first.release.maxMinutes, 120);
    assert.equal(first.release.ticketRequired, true);
    assert.equal(first.release.ticketPattern, '^CHG\\d+$');
    assert.equal(first.availableNow, true);
    assert.equal(first.unavailableReason, null);
    // The harness calls from 192.0.2.10, outside the second policy's network.
    assert.equal(second.approval.mode, 'auto');
    assert.equal(second.release.type, 'inject');
    assert.equal(second.availableNow, false);
    assert.match(second.unavailableReason, /network/i);
    assert.equal(JSON.stringify(options.body).includes(world.password), false, 'never a secret');
  });

  it('is an empty list for someone no policy covers, 404 for another tenant, 403 without the permission', async () => {
    const none = await harness.call<any>('GET', `/v1/access-options/${world.accountId}`, {
      token: outsider.token,
    });
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body.options, []);

    const other = await createAccessWorld(harness, 'access-options-other');
    const foreign = await harness.call('GET', `/v1/access-options/${other.accountId}`, {
      token: requester.token,
    });
    assert.equal(foreign.status, 404);

    const integration = await world.person(['integration'], [world.requesterGroupId]);
    const denied = await harness.call('GET', `/v1/access-options/${world.accountId}`, {
      token: integration.token,
    });
    assert.equal(denied.status, 403);
  });
});

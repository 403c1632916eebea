import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../kernel/errors.ts';
import type { AccessRequestRecord, ReleaseLock } from './access.ports.ts';
import {
  activate,
  allowedTransitions,
  approve,
  decide,
  effectiveStatus,
  releasable,
  transition,
} from './access-request-lifecycle.ts';

const t0 = Date.parse('2026-11-23T09:00:00.000Z');
const requesterId = 'usr_REQUESTER';
const approverGroup = 'grp_APPROVERS';

function newRequest(overrides: Partial<AccessRequestRecord> = {}): AccessRequestRecord {
  return {
    id: 'req_01JDQ4V6S5Y7R1B8K3M2N9P0QW',
    tenantId: 'ten_X',
    revision: 1,
    status: 'requested',
    requesterId,
    requesterName: 'requester@example.test',
    accountId: 'acc_X',
    accountName: 'root@db01',
    systemId: 'sys_X',
    policyId: 'apo_X',
    policyVersion: 1,
    releaseType: 'reveal',
    exclusive: true,
    rotateOnCheckIn: false,
    durationMinutes: 60,
    reason: 'maintenance',
    ticketId: null,
    requiredApprovals: 2,
    approverGroupIds: [approverGroup],
    approvals: [],
    sourceIp: '192.0.2.1',
    createdAt: new Date(t0).toISOString(),
    expiresAt: new Date(t0 + 24 * 3_600_000).toISOString(),
    approvedAt: null,
    activateBy: null,
    activatedAt: null,
    endsAt: null,
    closedAt: null,
    transitions: [],
    ...overrides,
  };
}

/** People who may try to decide: the requester, approvers, and someone outside the approver group. */
const people = [
  { id: requesterId, name: 'requester', sourceIp: '192.0.2.1', groupIds: [approverGroup] },
  { id: 'usr_A', name: 'alice', sourceIp: '192.0.2.2', groupIds: [approverGroup] },
  { id: 'usr_B', name: 'bob', sourceIp: '192.0.2.3', groupIds: [approverGroup, 'grp_OTHER'] },
  { id: 'usr_C', name: 'carol', sourceIp: '192.0.2.4', groupIds: [approverGroup] },
  { id: 'usr_OUT', name: 'mallory', sourceIp: '192.0.2.5', groupIds: ['grp_OTHER'] },
];

type Step =
  | { kind: 'decide'; who: number; decision: 'approve' | 'deny' }
  | { kind: 'cancel' | 'activate' | 'check-in' | 'revoke' }
  | { kind: 'wait'; minutes: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('decide' as const),
    who: fc.integer({ min: 0, max: people.length - 1 }),
    decision: fc.constantFrom('approve' as const, 'approve' as const, 'deny' as const),
  }),
  fc.record({
    kind: fc.constantFrom('cancel' as const, 'activate' as const, 'check-in' as const, 'revoke' as const),
  }),
  fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 2_000 }) }),
);

/** Applies a step as the service would; refusals (AppError) leave the request unchanged. */
function apply(request: AccessRequestRecord, step: Step, now: Date): AccessRequestRecord {
  const actor = people[1]!;
  try {
    switch (step.kind) {
      case 'decide': {
        const outcome = decide(request, people[step.who]!, step.decision, 'comment', now);
        return outcome.kind === 'approved' ? activateIfFree(outcome.request, now) : outcome.request;
      }
      case 'cancel':
        return transition(request, 'cancelled', people[0]!, now, null);
      case 'activate':
        return activate(request, people[0]!, now);
      case 'check-in':
        return transition(request, 'checked-in', people[0]!, now, null);
      case 'revoke':
        return transition(request, 'revoked', actor, now, 'revoked');
      case 'wait':
        return request;
    }
  } catch (error) {
    if (error instanceof AppError) return request;
    throw error;
  }
}

const activateIfFree = (request: AccessRequestRecord, now: Date) => activate(request, people[0]!, now);

const distinctApprovers = (request: AccessRequestRecord) =>
  new Set(request.approvals.filter((a) => a.decision === 'approve').map((a) => a.approverId));

describe('access request lifecycle (properties)', () => {
  it('never releases without the required distinct approvals, never by the requester, only along the graph', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 40 }),
        (required, steps) => {
          let request = newRequest({ requiredApprovals: required });
          let now = t0;
          for (const step of steps) {
            if (step.kind === 'wait') now += step.minutes * 60_000;
            const before = request;
            request = apply(request, step, new Date(now));
            const status = effectiveStatus(request, new Date(now));
            if (['approved', 'active', 'checked-in', 'revoked'].includes(request.status)) {
              assert.ok(distinctApprovers(request).size >= required, 'released without its approvals');
            }
            assert.ok(!request.approvals.some((a) => a.approverId === requesterId), 'self-approval recorded');
            assert.ok(
              !request.approvals.some((a) => a.approverId === 'usr_OUT'),
              'decision by someone outside the approver groups',
            );
            if (request !== before && request.status !== before.status) {
              const from = request.transitions.at(-1)!.from!;
              assert.ok(allowedTransitions[from].includes(request.status), `${from} → ${request.status}`);
            }
            if (releasable(request, new Date(now))) {
              assert.equal(status, 'active');
              assert.ok(now < Date.parse(request.endsAt!), 'releasable after its end');
            }
            // An approval counts once: the same person approving again changes nothing.
            if (request.approvals.some((a) => a.approverId === 'usr_A' && a.decision === 'approve')) {
              assert.equal(decide(request, people[1]!, 'approve', 'again', new Date(now)).kind, 'unchanged');
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('expiry is decided by the clock at read time, whatever was persisted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 1_200 }),
        (duration, elapsed) => {
          const start = new Date(t0);
          const active = activate(
            approve(newRequest({ durationMinutes: duration }), people[1]!, start, null),
            people[0]!,
            start,
          );
          const later = new Date(t0 + elapsed * 60_000);
          assert.equal(effectiveStatus(active, later), elapsed >= duration ? 'expired' : 'active');
          assert.equal(releasable(active, later), elapsed < duration);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('self-approval and outsiders are refused with 403', () => {
    const request = newRequest();
    assert.throws(
      () => decide(request, people[0]!, 'approve', 'mine', new Date(t0)),
      (e: AppError) => e.code === 'self-approval' && e.status === 403,
    );
    assert.throws(
      () => decide(request, people[4]!, 'approve', 'not mine', new Date(t0)),
      (e: AppError) => e.code === 'not-an-approver' && e.status === 403,
    );
  });

  it('illegal transitions are 409', () => {
    const request = newRequest();
    assert.throws(
      () => transition(request, 'checked-in', people[0]!, new Date(t0), null),
      (e: AppError) => e.status === 409 && e.code === 'illegal-transition',
    );
    const denied = decide(request, people[1]!, 'deny', 'no', new Date(t0)).request;
    assert.throws(
      () => decide(denied, people[2]!, 'approve', 'yes', new Date(t0)),
      (e: AppError) => e.status === 409,
    );
  });
});

/**
 * The exclusive-release protocol: activation writes a lock item conditionally (free, lapsed, or
 * ours), check-in/revoke delete it if ours. Modelled with the same condition as the DynamoDB
 * adapter, over random interleavings of many requests for one account.
 */
describe('exclusive releases (property)', () => {
  it('never two exclusive releases active at once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            request: fc.integer({ min: 0, max: 5 }),
            action: fc.constantFrom('activate', 'check-in', 'revoke', 'wait'),
            minutes: fc.integer({ min: 1, max: 90 }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (steps) => {
          let now = t0;
          let lock: ReleaseLock | null = null;
          const requests = Array.from({ length: 6 }, (_, i) =>
            approve(
              newRequest({ id: `req_${i}`, durationMinutes: 30 + i * 10, requiredApprovals: 1 }),
              people[1]!,
              new Date(t0),
              null,
            ),
          );
          for (const step of steps) {
            const at = new Date(now);
            const current = requests[step.request]!;
            if (step.action === 'wait') now += step.minutes * 60_000;
            else if (step.action === 'activate') {
              const lockFree =
                lock === null || Date.parse(lock.endsAt) <= now || lock.requestId === current.id;
              try {
                const next = activate(current, people[0]!, at);
                if (lockFree) {
                  requests[step.request] = next;
                  lock = { tenantId: 'ten_X', accountId: 'acc_X', requestId: next.id, endsAt: next.endsAt! };
                }
              } catch (error) {
                if (!(error instanceof AppError)) throw error;
              }
            } else {
              try {
                requests[step.request] = transition(
                  current,
                  step.action === 'check-in' ? 'checked-in' : 'revoked',
                  people[0]!,
                  at,
                  null,
                );
                if (lock?.requestId === current.id) lock = null;
              } catch (error) {
                if (!(error instanceof AppError)) throw error;
              }
            }
            const active = requests.filter((r) => effectiveStatus(r, new Date(now)) === 'active');
            assert.ok(active.length <= 1, `${active.length} exclusive releases active at once`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

import type { AccessRequest } from './access-data';
import { approvalsSoFar } from './access-data';

/** Small pieces shared by the home page, "My access" and the approvals inbox. */

export function ReleaseTypeLabel({ type }: { type: 'reveal' | 'inject' }) {
  return <>{type === 'reveal' ? 'Revealed to you on request' : 'Session injection only'}</>;
}

/** "1 of 2 approvals (Ada Admin)", or that none is needed. */
export function ApprovalProgress({ request }: { request: AccessRequest }) {
  const approvals = approvalsSoFar(request);
  const denial = request.approval.decisions.find((d) => d.decision === 'deny');
  if (request.approval.required === 0) return <span className="muted">No approval needed</span>;
  return (
    <span>
      {`${approvals.length} of ${request.approval.required} ${request.approval.required === 1 ? 'approval' : 'approvals'}`}
      {approvals.length > 0 ? (
        <span className="muted small">{` (${approvals.map((a) => a.approverName).join(', ')})`}</span>
      ) : null}
      {denial ? <span className="muted small">{` · denied by ${denial.approverName}`}</span> : null}
    </span>
  );
}

'use client';

import { useFormStatus } from 'react-dom';

/** "Approve" and "Deny" for one form: the pressed button's `decision` value tells the action which. */
export function DecisionButtons({ subject }: { subject: string }) {
  const { pending, data } = useFormStatus();
  const choice = pending ? data?.get('decision') : null;
  return (
    <div className="button-row">
      <button
        type="submit"
        name="decision"
        value="approve"
        className="button button-primary"
        disabled={pending}
      >
        {choice === 'approve' ? <span className="spinner" aria-hidden="true" /> : null}
        Approve<span className="visually-hidden">{` ${subject}`}</span>
      </button>
      <button type="submit" name="decision" value="deny" className="button button-danger" disabled={pending}>
        {choice === 'deny' ? <span className="spinner" aria-hidden="true" /> : null}
        Deny<span className="visually-hidden">{` ${subject}`}</span>
      </button>
      <span role="status" className="muted small">
        {pending ? (choice === 'deny' ? 'Denying…' : choice === 'approve' ? 'Approving…' : 'Sending…') : ''}
      </span>
    </div>
  );
}

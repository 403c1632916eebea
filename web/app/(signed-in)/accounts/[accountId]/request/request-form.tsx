'use client';

import Link from 'next/link';
import { useId, useState } from 'react';
import { ActionForm, Field, SubmitButton, TextAreaField, useFieldError } from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';
import {
  type AccessOption,
  approvalSummary,
  conditionsSummary,
  formatMinutes,
  releaseTypeSummary,
} from '../../_lib/model';
import styles from './request.module.css';

type Action = (previous: FormState, formData: FormData) => Promise<FormState>;

export function RequestAccessForm({
  action,
  csrf,
  options,
  defaultPolicyId,
  cancelHref,
}: {
  action: Action;
  csrf: string;
  options: readonly AccessOption[];
  defaultPolicyId: string;
  cancelHref: string;
}) {
  return (
    <ActionForm action={action} csrf={csrf} label="Request access" className={`stack ${styles.form}`}>
      <RequestFields options={options} defaultPolicyId={defaultPolicyId} cancelHref={cancelHref} />
    </ActionForm>
  );
}

function RequestFields({
  options,
  defaultPolicyId,
  cancelHref,
}: {
  options: readonly AccessOption[];
  defaultPolicyId: string;
  cancelHref: string;
}) {
  const [policyId, setPolicyId] = useState(defaultPolicyId);
  const option = options.find((candidate) => candidate.policyId === policyId) ?? (options[0] as AccessOption);
  const [duration, setDuration] = useState(String(option.release.defaultMinutes));
  const choose = (next: AccessOption) => {
    setPolicyId(next.policyId);
    setDuration(String(next.release.defaultMinutes));
  };
  const { release } = option;

  return (
    <>
      {options.length > 1 ? (
        <PolicyChoice options={options} selected={option.policyId} onChoose={choose} />
      ) : (
        <input type="hidden" name="policyId" value={option.policyId} />
      )}

      <PolicySummary option={option} single={options.length === 1} />

      <Field
        name="durationMinutes"
        label="Duration in minutes"
        type="number"
        inputMode="numeric"
        min={1}
        max={release.maxMinutes}
        step={1}
        required
        value={duration}
        onChange={(event) => setDuration(event.target.value)}
        className={styles.duration}
        hint={`From 1 to ${release.maxMinutes} minutes (${formatMinutes(release.maxMinutes)}) under this policy; ${release.defaultMinutes} minutes (${formatMinutes(release.defaultMinutes)}) unless you change it.`}
      />
      <TextAreaField
        name="reason"
        label="Reason"
        required={release.requireReason}
        rows={3}
        maxLength={500}
        hint={
          release.requireReason
            ? 'Required by this policy: at least 3 characters. Approvers and the audit trail see it.'
            : 'Optional. If you give one, at least 3 characters; approvers and the audit trail see it.'
        }
      />
      {release.ticketRequired ? (
        <Field
          key={`ticket-${option.policyId}`}
          name="ticketId"
          label="Ticket id"
          required
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          hint={
            release.ticketPattern ? (
              <>
                The change or incident ticket this work belongs to. It must match the pattern{' '}
                <code>{release.ticketPattern}</code>.
              </>
            ) : (
              'The change or incident ticket this work belongs to.'
            )
          }
        />
      ) : null}

      <div className="button-row">
        <SubmitButton pendingLabel="Sending the request…">
          {option.approval.mode === 'auto' ? 'Request and get access' : 'Send the request'}
        </SubmitButton>
        <Link href={cancelHref} prefetch={false}>
          Cancel
        </Link>
      </div>
    </>
  );
}

function PolicyChoice({
  options,
  selected,
  onChoose,
}: {
  options: readonly AccessOption[];
  selected: string;
  onChoose: (option: AccessOption) => void;
}) {
  const id = useId();
  const policyError = useFieldError('policyId');
  const accountError = useFieldError('accountId');
  const error = policyError ?? accountError;
  return (
    <fieldset
      className={error ? `field-invalid ${styles.policies}` : styles.policies}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>Access policy</legend>
      <p className="field-hint">
        Several policies let you request this account. The first is the one Strongroom uses when you do not
        choose; pick another if it fits your task better.
      </p>
      {options.map((option) => {
        const optionId = `${id}-${option.policyId}`;
        return (
          <div key={option.policyId} className={styles.policyOption}>
            {/* Uncontrolled with a default that follows the choice: React resets a form after its
                action runs, and the reset must keep the policy the user picked. */}
            <input
              id={optionId}
              type="radio"
              name="policyId"
              value={option.policyId}
              defaultChecked={option.policyId === selected}
              onChange={() => onChoose(option)}
              aria-describedby={`${optionId}-about`}
              aria-invalid={error ? true : undefined}
            />
            <label htmlFor={optionId}>
              <span className={styles.policyName}>{option.policyName}</span>
              <span id={`${optionId}-about`} className="muted small">
                {' '}
                — {approvalSummary(option.approval)} ·{' '}
                {option.release.type === 'reveal' ? 'reveal' : 'inject only'} · up to{' '}
                {formatMinutes(option.release.maxMinutes)}
                {option.availableNow ? '' : ' · not available now'}
              </span>
            </label>
          </div>
        );
      })}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function PolicySummary({ option, single }: { option: AccessOption; single: boolean }) {
  const accountError = useFieldError('accountId');
  const policyError = useFieldError('policyId');
  const { release } = option;
  return (
    <section className={`card ${styles.summary}`} aria-labelledby="policy-summary-heading">
      <h2 id="policy-summary-heading">Policy that applies: {option.policyName}</h2>
      <p className={styles.approval} aria-live="polite">
        <strong>{approvalSummary(option.approval)}</strong>
        {option.approval.mode === 'auto'
          ? ' — your access starts as soon as you send the request.'
          : ' — your access starts once they approve; you will find the request under My access.'}
      </p>
      <ul className={styles.facts}>
        <li>{releaseTypeSummary(release.type)}.</li>
        <li>
          {release.exclusive
            ? 'Only one person can hold this account at a time.'
            : 'Other people may hold this account at the same time.'}
        </li>
        <li>
          {release.rotateOnCheckIn
            ? 'The credential is changed when your access ends.'
            : 'The credential stays the same when your access ends.'}
        </li>
        <li>When and where: {conditionsSummary(option.conditions)}.</li>
      </ul>
      {option.availableNow ? null : (
        <p className="notice notice-info" role="status">
          This policy does not allow a request right now
          {option.unavailableReason ? `: ${option.unavailableReason}` : '.'}
        </p>
      )}
      {single && (policyError ?? accountError) ? (
        <p className="field-error">{policyError ?? accountError}</p>
      ) : null}
    </section>
  );
}

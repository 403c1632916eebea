'use client';

import Link from 'next/link';
import { type ReactNode, useId, useState } from 'react';
import {
  ActionForm,
  Field,
  SelectField,
  SubmitButton,
  TextAreaField,
  useFieldError,
} from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';
import { accountKindLabel, accountKinds, platformLabel, platforms } from '@/lib/inventory-terms';
import { CheckboxGroup } from '../../users/_components/checkbox-group';
import { useRememberedAction } from '../../users/_components/remembered-action';
import {
  type CriteriaDraft,
  criteriaName,
  draftFromValues,
  type NamedItem,
  fieldNames as n,
  type PolicyDraft,
  type SystemItem,
  weekdayNames,
  weekdays,
} from '../_lib/policy';
import styles from '../policy.module.css';

type Action = (previous: FormState, formData: FormData) => Promise<FormState>;

export interface GroupItem extends NamedItem {
  readonly description: string;
}

export interface AccountGroupItem extends NamedItem {
  readonly memberCount: number;
}

const emptyCriteria: CriteriaDraft = { platform: '', workgroup: '', accountKind: '', tags: '' };

/**
 * The whole access policy: who may request, which accounts, who approves, when and from where,
 * and what a release allows. Every input is named after the API field it fills, so the API's
 * field errors show next to it; a refused submission keeps what was typed and ticked.
 */
export function PolicyForm({
  action,
  csrf,
  initial,
  groups,
  systems,
  accountGroups,
  timezones,
  submitLabel,
  reloadHref,
}: {
  action: Action;
  csrf: string;
  initial: PolicyDraft;
  groups: readonly GroupItem[];
  systems: readonly SystemItem[];
  accountGroups: readonly AccountGroupItem[];
  timezones: readonly string[];
  submitLabel: string;
  /** The policy's page, loaded again after a version conflict (edits only). */
  reloadHref?: string;
}) {
  // The form stays on the version it was opened with, even when the page re-renders with a newer
  // one behind it (a background refresh): saving then meets the API's version check, not a silent
  // overwrite. A successful save navigates, and the page mounts a fresh form.
  const [opened] = useState(() => ({ action, submitLabel }));
  const [wrapped, submitted] = useRememberedAction(opened.action);
  const draft = submitted ? draftFromValues(submitted) : initial;
  const [mode, setMode] = useState(initial.approvalMode);
  const [rows, setRows] = useState(() => initial.criteria.map((_, index) => index));
  const [nextRow, setNextRow] = useState(initial.criteria.length);
  const timezoneList = useId();
  const groupOptions = groups.map((group) => ({
    value: group.id,
    label: group.name,
    hint: group.description || undefined,
  }));

  return (
    <ActionForm action={wrapped} csrf={csrf} label={opened.submitLabel} className={styles.form}>
      <fieldset className={styles.section}>
        <legend>About the policy</legend>
        <Field name={n.name} label="Name" required autoComplete="off" defaultValue={draft.name} />
        <TextAreaField
          name={n.description}
          label="Description"
          rows={2}
          hint="Why the policy exists, in a sentence: requesters and approvers see the name, administrators this."
          defaultValue={draft.description}
        />
        <div className={styles.pair}>
          <Field
            name={n.priority}
            label="Priority"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            required
            hint="1 to 1000. When several policies cover an account, the lowest number applies."
            defaultValue={draft.priority}
          />
          <SelectField
            name={n.status}
            label="Status"
            options={[
              { value: 'active', label: 'Active: requests may use it' },
              { value: 'disabled', label: 'Disabled: no new requests' },
            ]}
            defaultValue={draft.status}
          />
        </div>
      </fieldset>

      <fieldset className={styles.section}>
        <legend>Who may request</legend>
        <CheckboxGroup
          legend="Requester groups"
          name={n.requesterGroupIds}
          options={groupOptions}
          defaultValues={draft.requesterGroupIds}
          hint="Members of any ticked group may ask for the accounts below."
          empty={<NoGroups />}
        />
      </fieldset>

      <fieldset className={styles.section}>
        <legend>Which accounts</legend>
        <p className="field-hint">
          Combine as many ways as you need: an account matched by any of them is covered.
        </p>
        <SelectorsError />
        <TextAreaField
          name={n.accountIds}
          label="Accounts by id"
          rows={3}
          hint="One account id (acc_…) per line, for a few named accounts."
          defaultValue={draft.accountIds}
          spellCheck={false}
        />
        <CheckboxGroup
          legend="Account groups"
          name={n.accountGroupIds}
          options={accountGroups.map((group) => ({
            value: group.id,
            label: group.name,
            hint: `${group.memberCount} ${group.memberCount === 1 ? 'account' : 'accounts'}`,
          }))}
          defaultValues={draft.accountGroupIds}
          hint="Every account in a ticked group, including accounts added to it later."
          empty="There are no account groups yet."
          scroll={accountGroups.length > 12}
        />
        <CheckboxGroup
          legend="Systems"
          name={n.systemIds}
          options={systems.map((system) => ({
            value: system.id,
            label: system.name,
            hint: [system.platform, system.workgroup].filter(Boolean).join(' · '),
          }))}
          defaultValues={draft.systemIds}
          hint="Every account on a ticked system, including accounts onboarded later."
          empty="There are no systems yet."
          scroll={systems.length > 12}
        />
        <fieldset>
          <legend>Accounts by criteria</legend>
          <p className="field-hint">
            Each set matches accounts that meet all of its fields; accounts onboarded later that match are
            covered too. An empty set is ignored.
          </p>
          {rows.length === 0 ? <p className="muted small">No criteria.</p> : null}
          {rows.map((rowKey, index) => (
            <CriteriaRow
              key={rowKey}
              index={index}
              defaults={draft.criteria[index] ?? emptyCriteria}
              onRemove={() => setRows((current) => current.filter((key) => key !== rowKey))}
            />
          ))}
          <div className="button-row">
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                setRows((current) => [...current, nextRow]);
                setNextRow((value) => value + 1);
              }}
              disabled={rows.length >= 20}
            >
              Add a set of criteria
            </button>
          </div>
        </fieldset>
      </fieldset>

      <fieldset className={styles.section}>
        <legend>Approval</legend>
        <RadioGroup
          legend="How requests are approved"
          name={n.approvalMode}
          defaultValue={draft.approvalMode}
          onChange={(value) => setMode(value === 'auto' ? 'auto' : 'approval')}
          options={[
            {
              value: 'approval',
              label: 'Approvers must agree',
              hint: 'Distinct people from the approver groups, never the requester, approve each request.',
            },
            {
              value: 'auto',
              label: 'Automatic',
              hint: 'Requests that meet the conditions are granted at once.',
            },
          ]}
        />
        <div hidden={mode === 'auto'}>
          <div className="stack">
            <Field
              name={n.requiredApprovals}
              label="Approvals needed"
              type="number"
              inputMode="numeric"
              min={1}
              max={5}
              hint="1 to 5. Two or more is dual control."
              defaultValue={draft.requiredApprovals}
            />
            <CheckboxGroup
              legend="Approver groups"
              name={n.approverGroupIds}
              options={groupOptions}
              defaultValues={draft.approverGroupIds}
              hint="Members of any ticked group may approve or deny."
              empty={<NoGroups />}
            />
          </div>
        </div>
      </fieldset>

      <fieldset className={styles.section}>
        <legend>When and from where</legend>
        <CheckboxGroup
          legend="Days"
          name={n.daysOfWeek}
          options={weekdays.map((day) => ({ value: day, label: weekdayNames[day] ?? day }))}
          defaultValues={draft.daysOfWeek}
          hint="Leave all unticked for any day."
        />
        <fieldset>
          <legend>Hours</legend>
          <p className="field-hint">
            Leave both empty for any time. A range such as 22:00 to 06:00 spans midnight.
          </p>
          <div className={styles.pair}>
            <Field name={n.hoursFrom} label="From" type="time" defaultValue={draft.hoursFrom} />
            <Field name={n.hoursTo} label="To" type="time" defaultValue={draft.hoursTo} />
          </div>
        </fieldset>
        <Field
          name={n.timezone}
          label="Time zone"
          list={timezoneList}
          autoComplete="off"
          hint="The zone of the days and hours, for example Europe/Paris or UTC."
          defaultValue={draft.timezone}
        />
        <datalist id={timezoneList}>
          {timezones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <TextAreaField
          name={n.sourceCidrs}
          label="Allowed networks"
          rows={3}
          spellCheck={false}
          hint="One IP address or CIDR block per line, for example 10.0.0.0/8. Leave empty to allow any network."
          defaultValue={draft.sourceCidrs}
        />
      </fieldset>

      <fieldset className={styles.section}>
        <legend>Release</legend>
        <RadioGroup
          legend="What the requester gets"
          name={n.releaseType}
          defaultValue={draft.releaseType}
          options={[
            { value: 'reveal', label: 'Reveal', hint: 'The requester may see and copy the credential.' },
            {
              value: 'inject',
              label: 'Inject only',
              hint: 'Only a session proxy receives the credential; the requester never sees it.',
            },
          ]}
        />
        <div className={styles.pair}>
          <Field
            name={n.defaultMinutes}
            label="Default duration (minutes)"
            type="number"
            inputMode="numeric"
            min={1}
            max={10080}
            required
            defaultValue={draft.defaultMinutes}
          />
          <Field
            name={n.maxMinutes}
            label="Longest duration (minutes)"
            type="number"
            inputMode="numeric"
            min={1}
            max={10080}
            required
            hint="Up to 10080 (7 days)."
            defaultValue={draft.maxMinutes}
          />
          <Field
            name={n.requestTimeoutMinutes}
            label="Approval wait (minutes)"
            type="number"
            inputMode="numeric"
            min={5}
            max={10080}
            required
            hint="A request not approved in time expires."
            defaultValue={draft.requestTimeoutMinutes}
          />
        </div>
        <Check
          name={n.exclusive}
          label="One holder at a time"
          hint="While someone holds an account, others wait for it."
          defaultChecked={draft.exclusive}
        />
        <Check
          name={n.rotateOnCheckIn}
          label="Rotate the credential at check-in"
          hint="The password or key the requester saw stops working when the release ends."
          defaultChecked={draft.rotateOnCheckIn}
        />
        <Check
          name={n.requireReason}
          label="Requester must give a reason"
          defaultChecked={draft.requireReason}
        />
        <fieldset>
          <legend>Ticket</legend>
          <div className="stack">
            <Check
              name={n.ticketRequired}
              label="Requester must give a ticket id"
              defaultChecked={draft.ticketRequired}
            />
            <Field
              name={n.ticketPattern}
              label="Ticket id pattern"
              autoComplete="off"
              spellCheck={false}
              hint="Optional regular expression the whole ticket id must match, for example (CHG|INC)\d{6}."
              defaultValue={draft.ticketPattern}
            />
            <div className={styles.pair}>
              <Field
                name={n.validationUrl}
                label="Ticket check URL"
                type="url"
                autoComplete="off"
                hint="Optional. Strongroom calls it with the ticket id; any 2xx answer accepts the ticket."
                defaultValue={draft.validationUrl}
              />
              <Field
                name={n.validationTimeoutMs}
                label="Ticket check timeout (ms)"
                type="number"
                inputMode="numeric"
                min={100}
                max={10000}
                required
                defaultValue={draft.validationTimeoutMs}
              />
            </div>
          </div>
        </fieldset>
      </fieldset>

      <div className={styles.actionsBar}>
        <SubmitButton pendingLabel="Saving…">{opened.submitLabel}</SubmitButton>
        {reloadHref ? <ConflictReload href={reloadHref} /> : null}
      </div>
    </ActionForm>
  );
}

function NoGroups() {
  return (
    <>
      There are no groups yet.{' '}
      <Link href="/admin/groups" prefetch={false}>
        Create a group
      </Link>{' '}
      first.
    </>
  );
}

function SelectorsError() {
  const error = useFieldError(n.selectors);
  return error ? <p className="field-error">{error}</p> : null;
}

function ConflictReload({ href }: { href: string }) {
  const conflict = useFieldError('expectedVersion');
  // A full load: the form must start again from the current version, dropping what it holds.
  return conflict ? (
    <button type="button" className="button button-secondary" onClick={() => window.location.assign(href)}>
      Reload the policy
    </button>
  ) : null;
}

function CriteriaRow({
  index,
  defaults,
  onRemove,
}: {
  index: number;
  defaults: CriteriaDraft;
  onRemove: () => void;
}) {
  return (
    <fieldset className={styles.criteriaRow}>
      <legend>Criteria set {index + 1}</legend>
      <SelectField
        name={criteriaName(index, 'platform')}
        label="Platform"
        options={[
          { value: '', label: 'Any platform' },
          ...platforms.map((p) => ({ value: p, label: platformLabel(p) })),
        ]}
        defaultValue={defaults.platform}
      />
      <Field
        name={criteriaName(index, 'workgroup')}
        label="Workgroup"
        autoComplete="off"
        hint="Lowercase, for example web."
        defaultValue={defaults.workgroup}
      />
      <SelectField
        name={criteriaName(index, 'accountKind')}
        label="Account kind"
        options={[
          { value: '', label: 'Any kind' },
          ...accountKinds.map((k) => ({ value: k, label: accountKindLabel(k) })),
        ]}
        defaultValue={defaults.accountKind}
      />
      <Field
        name={criteriaName(index, 'tags')}
        label="System tags"
        autoComplete="off"
        hint="Space separated; the system must carry all."
        defaultValue={defaults.tags}
      />
      <div>
        <button type="button" className="button button-secondary button-small" onClick={onRemove}>
          Remove<span className="visually-hidden"> criteria set {index + 1}</span>
        </button>
      </div>
    </fieldset>
  );
}

function Check({
  name,
  label,
  hint,
  defaultChecked,
}: {
  name: string;
  label: string;
  hint?: string;
  defaultChecked: boolean;
}) {
  const id = useId();
  const error = useFieldError(name);
  return (
    <div className={error ? 'field field-checkbox field-invalid' : 'field field-checkbox'}>
      <input
        id={id}
        type="checkbox"
        name={name}
        defaultChecked={defaultChecked}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint || error ? `${id}-more` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint || error ? (
        <p id={`${id}-more`} className={error ? 'field-error' : 'field-hint'}>
          {error ?? hint}
        </p>
      ) : null}
    </div>
  );
}

function RadioGroup({
  legend,
  name,
  options,
  defaultValue,
  onChange,
}: {
  legend: string;
  name: string;
  options: readonly { value: string; label: string; hint?: ReactNode }[];
  defaultValue: string;
  onChange?: (value: string) => void;
}) {
  const id = useId();
  const error = useFieldError(name);
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
      <div className={styles.radios}>
        {options.map((option, index) => (
          <div key={option.value} className={styles.radioItem}>
            <input
              id={`${id}-${index}`}
              type="radio"
              name={name}
              value={option.value}
              defaultChecked={defaultValue === option.value}
              onChange={(event) => {
                if (event.target.checked) onChange?.(option.value);
              }}
              aria-invalid={error ? true : undefined}
            />
            <label htmlFor={`${id}-${index}`}>
              {option.label}
              {option.hint ? <span className={styles.radioHint}>{option.hint}</span> : null}
            </label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

import 'server-only';
import type { FieldErrors, FormState } from '@/lib/api-problem';
import { readableMessage } from '../../users/_lib/messages';
import {
  type AccountSelector,
  type CriteriaField,
  criteriaFields,
  criteriaName,
  draftFromValues,
  listOf,
  fieldNames as n,
  type PolicyDraft,
} from './policy';

/**
 * Turns the policy form into the API's body, and the API's field errors back into the form's
 * inputs. Selectors come from several inputs (account ids, account groups, systems, criteria
 * rows), so the body remembers which input made each selector: `selectors.3.systemId` is then
 * shown on the systems' checkboxes.
 */

/** Which input made selector i: a field name, or a criteria row. */
type SelectorSource = { readonly input: string } | { readonly row: number };

export interface PolicyBody {
  readonly body: Record<string, unknown>;
  readonly sources: readonly SelectorSource[];
  readonly draft: PolicyDraft;
  /** Problems found before asking the API (numbers that are not numbers). */
  readonly localErrors: FieldErrors;
}

export function draftFromFormData(formData: FormData): PolicyDraft {
  const values = new Map<string, string[]>();
  for (const [name, value] of formData.entries()) {
    if (typeof value === 'string') values.set(name, [...(values.get(name) ?? []), value]);
  }
  return draftFromValues(values);
}

export function policyBody(draft: PolicyDraft): PolicyBody {
  const localErrors: Record<string, string> = {};
  const integer = (name: string, text: string): number | undefined => {
    const trimmed = text.trim();
    if (!/^\d{1,7}$/.test(trimmed)) {
      localErrors[name] = 'Enter a whole number.';
      return undefined;
    }
    return Number(trimmed);
  };

  const selectors: AccountSelector[] = [];
  const sources: SelectorSource[] = [];
  const accountIds = listOf(draft.accountIds);
  if (accountIds.length) {
    selectors.push({ type: 'accounts', accountIds });
    sources.push({ input: n.accountIds });
  }
  for (const accountGroupId of draft.accountGroupIds) {
    selectors.push({ type: 'account-group', accountGroupId });
    sources.push({ input: n.accountGroupIds });
  }
  for (const systemId of draft.systemIds) {
    selectors.push({ type: 'system', systemId });
    sources.push({ input: n.systemIds });
  }
  draft.criteria.forEach((row, index) => {
    const tags = listOf(row.tags);
    const criteria = {
      type: 'criteria' as const,
      ...(row.platform ? { platform: row.platform } : {}),
      ...(row.workgroup.trim() ? { workgroup: row.workgroup.trim() } : {}),
      ...(row.accountKind ? { accountKind: row.accountKind } : {}),
      ...(tags.length ? { tags } : {}),
    };
    // A row left empty would match every account: it is skipped, not sent.
    if (Object.keys(criteria).length === 1) return;
    selectors.push(criteria);
    sources.push({ row: index });
  });

  const approval =
    draft.approvalMode === 'auto'
      ? { mode: 'auto' }
      : {
          mode: 'approval',
          requiredApprovals: integer(n.requiredApprovals, draft.requiredApprovals),
          approverGroupIds: draft.approverGroupIds,
        };

  const cidrs = listOf(draft.sourceCidrs);
  const conditions = {
    timezone: draft.timezone.trim() || 'UTC',
    ...(draft.daysOfWeek.length ? { daysOfWeek: draft.daysOfWeek } : {}),
    ...(draft.hoursFrom || draft.hoursTo ? { hours: { from: draft.hoursFrom, to: draft.hoursTo } } : {}),
    ...(cidrs.length ? { sourceCidrs: cidrs } : {}),
  };

  const release = {
    defaultMinutes: integer(n.defaultMinutes, draft.defaultMinutes),
    maxMinutes: integer(n.maxMinutes, draft.maxMinutes),
    exclusive: draft.exclusive,
    type: draft.releaseType,
    rotateOnCheckIn: draft.rotateOnCheckIn,
    requireReason: draft.requireReason,
    ticket: {
      required: draft.ticketRequired,
      ...(draft.ticketPattern.trim() ? { pattern: draft.ticketPattern.trim() } : {}),
      ...(draft.validationUrl.trim() ? { validationUrl: draft.validationUrl.trim() } : {}),
      validationTimeoutMs: integer(n.validationTimeoutMs, draft.validationTimeoutMs),
    },
    requestTimeoutMinutes: integer(n.requestTimeoutMinutes, draft.requestTimeoutMinutes),
  };

  return {
    body: {
      name: draft.name.trim(),
      description: draft.description.trim(),
      priority: integer(n.priority, draft.priority),
      status: draft.status,
      requesterGroupIds: draft.requesterGroupIds,
      selectors,
      approval,
      conditions,
      release,
    },
    sources,
    draft,
    localErrors,
  };
}

/** Inputs of the form that show errors; anything else is listed in the form's message. */
function shownOnForm(name: string): boolean {
  return (
    (Object.values(n) as string[]).includes(name) ||
    criteriaFields.some((field) => /^criteria\.\d+\./.test(name) && name.endsWith(`.${field}`))
  );
}

const friendly: Record<string, string> = {
  [n.requesterGroupIds]: 'Choose at least one group whose members may request.',
  [n.selectors]: 'Choose the accounts: give account ids, or pick account groups, systems or criteria.',
  [n.approverGroupIds]: 'Choose at least one group whose members approve.',
};

/** The API's errors keyed by the form's inputs, with the offending value named for list inputs. */
export function formErrors(errors: FieldErrors, built: PolicyBody): FieldErrors {
  const result: Record<string, string> = {};
  const add = (name: string, message: string) => {
    if (!(name in result)) result[name] = readableMessage(message);
  };
  const accountIds = listOf(built.draft.accountIds);
  const cidrs = listOf(built.draft.sourceCidrs);
  for (const [field, message] of Object.entries(errors)) {
    const path = field.split('.');
    const [head, second, third, fourth] = path;
    if (head === 'selectors' && second !== undefined && /^\d+$/.test(second)) {
      const source = built.sources[Number(second)];
      if (!source) {
        add(n.selectors, message);
      } else if ('row' in source) {
        const criteriaField = (criteriaFields as readonly string[]).includes(third ?? '')
          ? (third as CriteriaField)
          : 'platform';
        add(criteriaName(source.row, criteriaField), message);
      } else if (source.input === n.accountIds && fourth !== undefined) {
        add(n.accountIds, `${accountIds[Number(fourth)] ?? 'An account id'}: ${message}`);
      } else {
        add(source.input, message);
      }
      continue;
    }
    if (field.startsWith(`${n.sourceCidrs}.`)) {
      add(n.sourceCidrs, `${cidrs[Number(path[2])] ?? 'An entry'}: ${message}`);
      continue;
    }
    if (field === 'conditions.hours') {
      add(n.hoursFrom, message);
      continue;
    }
    // requesterGroupIds.2, approval.approverGroupIds.0, conditions.daysOfWeek.1 …
    const list = [n.requesterGroupIds, n.approverGroupIds, n.daysOfWeek].find((name) =>
      field.startsWith(`${name}.`),
    );
    if (list) {
      add(list, message);
      continue;
    }
    add(field, /^Too small: expected array/.test(message) ? (friendly[field] ?? message) : message);
  }
  return result;
}

/** What the form shows when the API refused the policy. */
export function refusedState(message: string, fieldErrors: FieldErrors): FormState {
  const elsewhere = Object.entries(fieldErrors).filter(([name]) => !shownOnForm(name));
  const details = elsewhere.map(([name, text]) => `${name}: ${text}`).join(' ');
  const summary =
    Object.keys(fieldErrors).length > 0
      ? `The policy was not saved. Correct the fields marked below.${details ? ` ${details}` : ''}`
      : message;
  return { ok: false, message: summary, fieldErrors };
}

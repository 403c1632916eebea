/**
 * Access policies as the portal shows and edits them: the API's shapes, a flat "draft" that the
 * form's inputs map to one to one, and plain-language summaries. No server or client imports:
 * the form (client) and the actions (server) share it.
 */

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekdayNames: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export type AccountSelector =
  | { readonly type: 'accounts'; readonly accountIds: readonly string[] }
  | { readonly type: 'account-group'; readonly accountGroupId: string }
  | { readonly type: 'system'; readonly systemId: string }
  | {
      readonly type: 'criteria';
      readonly platform?: string;
      readonly workgroup?: string;
      readonly accountKind?: string;
      readonly tags?: readonly string[];
    };

export type ApprovalRule =
  | { readonly mode: 'auto' }
  | {
      readonly mode: 'approval';
      readonly requiredApprovals: number;
      readonly approverGroupIds: readonly string[];
    };

export interface AccessConditions {
  readonly daysOfWeek?: readonly string[];
  readonly hours?: { readonly from: string; readonly to: string };
  readonly timezone: string;
  readonly sourceCidrs?: readonly string[];
}

export interface ReleaseRule {
  readonly defaultMinutes: number;
  readonly maxMinutes: number;
  readonly exclusive: boolean;
  readonly type: 'reveal' | 'inject';
  readonly rotateOnCheckIn: boolean;
  readonly requireReason: boolean;
  readonly ticket: {
    readonly required: boolean;
    readonly pattern?: string;
    readonly validationUrl?: string;
    readonly validationTimeoutMs: number;
  };
  readonly requestTimeoutMinutes: number;
}

export interface AccessPolicy {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly priority: number;
  readonly status: 'active' | 'disabled';
  readonly requesterGroupIds: readonly string[];
  readonly selectors: readonly AccountSelector[];
  readonly approval: ApprovalRule;
  readonly conditions: AccessConditions;
  readonly release: ReleaseRule;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface NamedItem {
  readonly id: string;
  readonly name: string;
}

export interface SystemItem extends NamedItem {
  readonly platform: string;
  readonly workgroup: string;
}

// ── The form's inputs ────────────────────────────────────────────────────────────────────────

/** Input names. Those that are API fields carry the API's dotted name, so its errors land on them. */
export const fieldNames = {
  name: 'name',
  description: 'description',
  priority: 'priority',
  status: 'status',
  requesterGroupIds: 'requesterGroupIds',
  selectors: 'selectors',
  accountIds: 'selectors.accountIds',
  accountGroupIds: 'selectors.accountGroupIds',
  systemIds: 'selectors.systemIds',
  approvalMode: 'approval.mode',
  requiredApprovals: 'approval.requiredApprovals',
  approverGroupIds: 'approval.approverGroupIds',
  daysOfWeek: 'conditions.daysOfWeek',
  hoursFrom: 'conditions.hours.from',
  hoursTo: 'conditions.hours.to',
  timezone: 'conditions.timezone',
  sourceCidrs: 'conditions.sourceCidrs',
  defaultMinutes: 'release.defaultMinutes',
  maxMinutes: 'release.maxMinutes',
  exclusive: 'release.exclusive',
  releaseType: 'release.type',
  rotateOnCheckIn: 'release.rotateOnCheckIn',
  requireReason: 'release.requireReason',
  ticketRequired: 'release.ticket.required',
  ticketPattern: 'release.ticket.pattern',
  validationUrl: 'release.ticket.validationUrl',
  validationTimeoutMs: 'release.ticket.validationTimeoutMs',
  requestTimeoutMinutes: 'release.requestTimeoutMinutes',
} as const;

export const criteriaFields = ['platform', 'workgroup', 'accountKind', 'tags'] as const;
export type CriteriaField = (typeof criteriaFields)[number];
export const criteriaName = (row: number, field: CriteriaField) => `criteria.${row}.${field}`;

export interface CriteriaDraft {
  readonly platform: string;
  readonly workgroup: string;
  readonly accountKind: string;
  /** Space or comma separated. */
  readonly tags: string;
}

/** Everything the form shows, as text, lists and flags. */
export interface PolicyDraft {
  readonly name: string;
  readonly description: string;
  readonly priority: string;
  readonly status: 'active' | 'disabled';
  readonly requesterGroupIds: readonly string[];
  /** One account id per line. */
  readonly accountIds: string;
  readonly accountGroupIds: readonly string[];
  readonly systemIds: readonly string[];
  readonly criteria: readonly CriteriaDraft[];
  readonly approvalMode: 'auto' | 'approval';
  readonly requiredApprovals: string;
  readonly approverGroupIds: readonly string[];
  readonly daysOfWeek: readonly string[];
  readonly hoursFrom: string;
  readonly hoursTo: string;
  readonly timezone: string;
  /** One CIDR per line. */
  readonly sourceCidrs: string;
  readonly defaultMinutes: string;
  readonly maxMinutes: string;
  readonly exclusive: boolean;
  readonly releaseType: 'reveal' | 'inject';
  readonly rotateOnCheckIn: boolean;
  readonly requireReason: boolean;
  readonly ticketRequired: boolean;
  readonly ticketPattern: string;
  readonly validationUrl: string;
  readonly validationTimeoutMs: string;
  readonly requestTimeoutMinutes: string;
}

/** A new policy: the API's defaults, with one approval asked for (the safer start). */
export const newPolicyDraft: PolicyDraft = {
  name: '',
  description: '',
  priority: '100',
  status: 'active',
  requesterGroupIds: [],
  accountIds: '',
  accountGroupIds: [],
  systemIds: [],
  criteria: [],
  approvalMode: 'approval',
  requiredApprovals: '1',
  approverGroupIds: [],
  daysOfWeek: [],
  hoursFrom: '',
  hoursTo: '',
  timezone: 'UTC',
  sourceCidrs: '',
  defaultMinutes: '60',
  maxMinutes: '240',
  exclusive: true,
  releaseType: 'reveal',
  rotateOnCheckIn: false,
  requireReason: true,
  ticketRequired: false,
  ticketPattern: '',
  validationUrl: '',
  validationTimeoutMs: '3000',
  requestTimeoutMinutes: '1440',
};

export function draftFromPolicy(policy: AccessPolicy): PolicyDraft {
  const { selectors, approval, conditions, release } = policy;
  const accountIds = selectors.flatMap((s) => (s.type === 'accounts' ? s.accountIds : []));
  return {
    name: policy.name,
    description: policy.description,
    priority: String(policy.priority),
    status: policy.status,
    requesterGroupIds: policy.requesterGroupIds,
    accountIds: accountIds.join('\n'),
    accountGroupIds: selectors.flatMap((s) => (s.type === 'account-group' ? [s.accountGroupId] : [])),
    systemIds: selectors.flatMap((s) => (s.type === 'system' ? [s.systemId] : [])),
    criteria: selectors.flatMap((s) =>
      s.type === 'criteria'
        ? [
            {
              platform: s.platform ?? '',
              workgroup: s.workgroup ?? '',
              accountKind: s.accountKind ?? '',
              tags: (s.tags ?? []).join(' '),
            },
          ]
        : [],
    ),
    approvalMode: approval.mode,
    requiredApprovals: approval.mode === 'approval' ? String(approval.requiredApprovals) : '1',
    approverGroupIds: approval.mode === 'approval' ? approval.approverGroupIds : [],
    daysOfWeek: conditions.daysOfWeek ?? [],
    hoursFrom: conditions.hours?.from ?? '',
    hoursTo: conditions.hours?.to ?? '',
    timezone: conditions.timezone,
    sourceCidrs: (conditions.sourceCidrs ?? []).join('\n'),
    defaultMinutes: String(release.defaultMinutes),
    maxMinutes: String(release.maxMinutes),
    exclusive: release.exclusive,
    releaseType: release.type,
    rotateOnCheckIn: release.rotateOnCheckIn,
    requireReason: release.requireReason,
    ticketRequired: release.ticket.required,
    ticketPattern: release.ticket.pattern ?? '',
    validationUrl: release.ticket.validationUrl ?? '',
    validationTimeoutMs: String(release.ticket.validationTimeoutMs),
    requestTimeoutMinutes: String(release.requestTimeoutMinutes),
  };
}

/** Submitted values by input name (FormData on the server, the remembered submission in the browser). */
export interface SubmittedValues {
  keys(): Iterable<string>;
  get(name: string): readonly string[] | undefined;
}

/** The draft a submission describes (checkboxes absent from it are unchecked). */
export function draftFromValues(values: SubmittedValues): PolicyDraft {
  const one = (name: string) => values.get(name)?.[0] ?? '';
  const all = (name: string) => [...(values.get(name) ?? [])];
  const flag = (name: string) => values.get(name) !== undefined;
  let rows = 0;
  for (const key of values.keys()) {
    const match = /^criteria\.(\d{1,2})\./.exec(key);
    if (match) rows = Math.max(rows, Number(match[1]) + 1);
  }
  const criteria = Array.from({ length: rows }, (_, row) => ({
    platform: one(criteriaName(row, 'platform')),
    workgroup: one(criteriaName(row, 'workgroup')),
    accountKind: one(criteriaName(row, 'accountKind')),
    tags: one(criteriaName(row, 'tags')),
  }));
  const n = fieldNames;
  return {
    name: one(n.name),
    description: one(n.description),
    priority: one(n.priority),
    status: one(n.status) === 'disabled' ? 'disabled' : 'active',
    requesterGroupIds: all(n.requesterGroupIds),
    accountIds: one(n.accountIds),
    accountGroupIds: all(n.accountGroupIds),
    systemIds: all(n.systemIds),
    criteria,
    approvalMode: one(n.approvalMode) === 'auto' ? 'auto' : 'approval',
    requiredApprovals: one(n.requiredApprovals),
    approverGroupIds: all(n.approverGroupIds),
    daysOfWeek: all(n.daysOfWeek),
    hoursFrom: one(n.hoursFrom),
    hoursTo: one(n.hoursTo),
    timezone: one(n.timezone),
    sourceCidrs: one(n.sourceCidrs),
    defaultMinutes: one(n.defaultMinutes),
    maxMinutes: one(n.maxMinutes),
    exclusive: flag(n.exclusive),
    releaseType: one(n.releaseType) === 'inject' ? 'inject' : 'reveal',
    rotateOnCheckIn: flag(n.rotateOnCheckIn),
    requireReason: flag(n.requireReason),
    ticketRequired: flag(n.ticketRequired),
    ticketPattern: one(n.ticketPattern),
    validationUrl: one(n.validationUrl),
    validationTimeoutMs: one(n.validationTimeoutMs),
    requestTimeoutMinutes: one(n.requestTimeoutMinutes),
  };
}

/** Lines (or commas, or spaces) of a text area as a list without blanks. */
export function listOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

// ── Plain-language summaries ─────────────────────────────────────────────────────────────────

export interface Names {
  group(id: string): string;
  system(id: string): string;
  accountGroup(id: string): string;
  account(id: string): string;
}

export function namesFrom(
  groups: readonly NamedItem[],
  systems: readonly NamedItem[],
  accountGroups: readonly NamedItem[],
  accounts: ReadonlyMap<string, string> = new Map(),
): Names {
  const map = (items: readonly NamedItem[]) => new Map(items.map((item) => [item.id, item.name]));
  const g = map(groups);
  const s = map(systems);
  const a = map(accountGroups);
  return {
    group: (id) => g.get(id) ?? id,
    system: (id) => s.get(id) ?? id,
    accountGroup: (id) => a.get(id) ?? id,
    account: (id) => accounts.get(id) ?? id,
  };
}

export function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

export function joinAnd(items: readonly string[], word = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}

/** One selector in words; `listAccounts` names explicit accounts instead of counting them. */
export function selectorText(selector: AccountSelector, names: Names, listAccounts = false): string {
  switch (selector.type) {
    case 'accounts':
      return listAccounts
        ? `Accounts ${joinAnd(selector.accountIds.map(names.account))}`
        : `${selector.accountIds.length} named ${selector.accountIds.length === 1 ? 'account' : 'accounts'}`;
    case 'account-group':
      return `Account group ${names.accountGroup(selector.accountGroupId)}`;
    case 'system':
      return `Accounts of ${names.system(selector.systemId)}`;
    case 'criteria': {
      const parts = [
        selector.platform ? `platform ${selector.platform}` : null,
        selector.workgroup ? `workgroup ${selector.workgroup}` : null,
        selector.accountKind ? `kind ${selector.accountKind}` : null,
        selector.tags?.length
          ? `${selector.tags.length === 1 ? 'tag' : 'tags'} ${joinAnd(selector.tags)}`
          : null,
      ].filter((part): part is string => part !== null);
      return parts.length ? `Accounts with ${joinAnd(parts)}` : 'Every account';
    }
  }
}

export function approvalText(approval: ApprovalRule, names: Names): string {
  if (approval.mode === 'auto') return 'Automatic (no approval)';
  const count = approval.requiredApprovals;
  const who = joinAnd(approval.approverGroupIds.map(names.group), 'or');
  return `${count} ${count === 1 ? 'approval' : 'approvals'} from ${who}`;
}

export function conditionsText(conditions: AccessConditions): string {
  const days = conditions.daysOfWeek?.length
    ? conditions.daysOfWeek.length === 7
      ? 'Every day'
      : joinAnd(conditions.daysOfWeek.map((day) => weekdayNames[day]?.slice(0, 3) ?? day))
    : 'Any day';
  const hours = conditions.hours
    ? `${conditions.hours.from}–${conditions.hours.to} (${conditions.timezone})`
    : 'any time';
  const from = conditions.sourceCidrs?.length
    ? `from ${joinAnd(conditions.sourceCidrs, 'or')}`
    : 'from anywhere';
  return `${days}, ${hours}, ${from}`;
}

export const policyIdPattern = /^apo_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The parts of a release rule, each in words, so a version history can name what changed. */
export function releaseAspects(release: ReleaseRule): [string, string][] {
  return [
    ['type', release.type === 'reveal' ? 'reveal' : 'inject only'],
    ['default duration', formatMinutes(release.defaultMinutes)],
    ['longest duration', formatMinutes(release.maxMinutes)],
    ['holders', release.exclusive ? 'one at a time' : 'several at once'],
    ['rotation at check-in', release.rotateOnCheckIn ? 'yes' : 'no'],
    ['reason', release.requireReason ? 'required' : 'optional'],
    ['ticket', release.ticket.required ? 'required' : 'optional'],
    ['ticket pattern', release.ticket.pattern ?? 'none'],
    ['ticket check URL', release.ticket.validationUrl ?? 'none'],
    ['ticket check timeout', `${release.ticket.validationTimeoutMs} ms`],
    ['approval wait', formatMinutes(release.requestTimeoutMinutes)],
  ];
}

export function conditionAspects(conditions: AccessConditions): [string, string][] {
  return [
    [
      'days',
      conditions.daysOfWeek?.length
        ? joinAnd(conditions.daysOfWeek.map((day) => weekdayNames[day]?.slice(0, 3) ?? day))
        : 'any day',
    ],
    ['hours', conditions.hours ? `${conditions.hours.from}–${conditions.hours.to}` : 'any time'],
    ['time zone', conditions.timezone],
    ['networks', conditions.sourceCidrs?.length ? joinAnd(conditions.sourceCidrs, 'or') : 'any'],
  ];
}

/** "longest duration 4 h → 2 h; days any day → Mon, Tue" for the parts that differ. */
export function aspectChanges(before: [string, string][], after: [string, string][]): string {
  return after
    .flatMap(([label, text], index) => {
      const previous = before[index]?.[1];
      return previous === text ? [] : [`${label} ${previous ?? '—'} → ${text}`];
    })
    .join('; ');
}

/**
 * What the Accounts pages read from the public API (GET /v1/accounts, /v1/systems,
 * /v1/accounts/{id}/credential/versions, /v1/access-options/{accountId}) and how they name it.
 * Nothing here carries a secret.
 */

export type RotationStatus = 'never' | 'ok' | 'rotating' | 'failing';

const rotationStatusNames: Record<RotationStatus, string> = {
  never: 'Never rotated',
  ok: 'Rotated',
  rotating: 'Rotating now',
  failing: 'Failing',
};

export const rotationStatusName = (status: string) => rotationStatusNames[status as RotationStatus] ?? status;

export interface RotationState {
  readonly status: RotationStatus;
  readonly lastRotatedAt: string | null;
  readonly nextDueAt: string | null;
  readonly activeRotationId: string | null;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | null;
}

export interface RotationSettings {
  readonly enabled: boolean;
  readonly rotateAfterRelease: boolean;
  readonly connector?: string;
  readonly functionalAccountId?: string;
  readonly maxAgeDays?: number;
  readonly window?: unknown;
}

export interface Account {
  readonly id: string;
  readonly systemId: string;
  readonly systemName: string;
  readonly platform: string;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly username: string;
  readonly kind: string;
  readonly description: string;
  readonly apiEnabled: boolean;
  readonly passwordPolicyId: string | null;
  readonly rotation: RotationSettings;
  readonly rotationState?: RotationState;
  readonly accountGroupIds: readonly string[];
  readonly credential: { readonly currentVersion: number | null; readonly updatedAt: string | null };
  readonly createdAt: string;
}

export interface System {
  readonly id: string;
  readonly name: string;
  readonly hostname: string | null;
  readonly ipAddress: string | null;
  readonly additionalAddresses: readonly string[];
  readonly websiteUrl: string | null;
  readonly applications: readonly string[];
  readonly platform: string;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly accountCount: number;
  readonly createdAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface CredentialVersion {
  readonly version: number;
  readonly status: 'current' | 'previous' | 'pending' | 'retired';
  readonly type: 'password' | 'ssh-key';
  readonly source: 'set' | 'generated';
  readonly fingerprint: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface AccessConditions {
  readonly daysOfWeek?: readonly string[];
  readonly hours?: { readonly from: string; readonly to: string };
  readonly timezone: string;
  readonly sourceCidrs?: readonly string[];
}

export interface AccessOption {
  readonly policyId: string;
  readonly policyName: string;
  readonly priority: number;
  readonly approval: {
    readonly mode: 'auto' | 'approval';
    readonly requiredApprovals: number;
    readonly approverGroups: readonly { readonly id: string; readonly name: string }[];
  };
  readonly release: {
    readonly type: 'reveal' | 'inject';
    readonly defaultMinutes: number;
    readonly maxMinutes: number;
    readonly exclusive: boolean;
    readonly rotateOnCheckIn: boolean;
    readonly requireReason: boolean;
    readonly ticketRequired: boolean;
    readonly ticketPattern: string | null;
  };
  readonly conditions: AccessConditions;
  readonly availableNow: boolean;
  readonly unavailableReason: string | null;
}

export interface AccessOptions {
  readonly accountId: string;
  readonly accountName: string;
  readonly options: readonly AccessOption[];
}

/** `root@web-01`: how people name an account. */
export const accountName = (account: Pick<Account, 'username' | 'systemName'>) =>
  `${account.username}@${account.systemName}`;

const accountIdPattern = /^acc_[0-9A-HJKMNP-TV-Z]{26}$/;
const systemIdPattern = /^sys_[0-9A-HJKMNP-TV-Z]{26}$/;

export const isAccountId = (value: string) => accountIdPattern.test(value);
export const isSystemId = (value: string) => systemIdPattern.test(value);

/** "Needs 2 approvals from Access approvers" or "Approved automatically". */
export function approvalSummary(approval: AccessOption['approval']): string {
  if (approval.mode === 'auto') return 'Approved automatically';
  const count = approval.requiredApprovals;
  const groups = approval.approverGroups.map((group) => group.name);
  const from = groups.length > 0 ? ` from ${joinWords(groups, 'or')}` : '';
  return `Needs ${count} ${count === 1 ? 'approval' : 'approvals'}${from}`;
}

export function releaseTypeSummary(type: AccessOption['release']['type']): string {
  return type === 'reveal'
    ? 'Reveal: you may see and copy the credential'
    : 'Inject: a session proxy uses the credential; you never see it';
}

/** 90 → "1 h 30 min", 45 → "45 min", 1440 → "1 day". */
export function formatMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours > 0) parts.push(`${hours} h`);
  if (rest > 0 || parts.length === 0) parts.push(`${rest} min`);
  return parts.join(' ');
}

const dayNames: Record<string, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

/** "Mon, Tue, Wed, Thu, Fri · 08:00–18:00 (Europe/Paris) · from 10.0.0.0/8", or "Any time". */
export function conditionsSummary(conditions: AccessConditions): string {
  const parts: string[] = [];
  if (conditions.daysOfWeek && conditions.daysOfWeek.length < 7)
    parts.push(conditions.daysOfWeek.map((day) => dayNames[day] ?? day).join(', '));
  if (conditions.hours) parts.push(`${conditions.hours.from}–${conditions.hours.to}`);
  if (parts.length > 0) parts.push(`time zone ${conditions.timezone}`);
  if (conditions.sourceCidrs && conditions.sourceCidrs.length > 0)
    parts.push(`only from ${conditions.sourceCidrs.join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : 'Any day, any time, from any network';
}

function joinWords(words: readonly string[], last: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}

/**
 * The audit search filters as they travel in the page's URL (what the user typed, with the
 * `datetime-local` values as the browser sends them) and as the API wants them (ISO-8601 UTC).
 * Shared by the page and the export route so that an export holds exactly what the page shows.
 */

/** The most events one export file holds (the API hands them out 5,000 at a time). */
export const exportRowCap = 50_000;
export const exportSliceSize = 5_000;

export const filterNames = ['actorId', 'action', 'targetId', 'from', 'to'] as const;
export type FilterName = (typeof filterNames)[number];
export type FilterValues = Readonly<Record<FilterName, string>>;

type SearchParams = Readonly<Record<string, string | string[] | undefined>> | URLSearchParams;

function single(params: SearchParams, name: string): string {
  const value = params instanceof URLSearchParams ? params.get(name) : params[name];
  const text = Array.isArray(value) ? value[0] : value;
  return (text ?? '').trim();
}

export function readFilters(params: SearchParams): FilterValues {
  return {
    actorId: single(params, 'actorId'),
    action: single(params, 'action'),
    targetId: single(params, 'targetId'),
    from: single(params, 'from'),
    to: single(params, 'to'),
  };
}

export function readCursor(params: SearchParams): string | undefined {
  return single(params, 'cursor') || undefined;
}

/** The filters that are set, for links that keep them (pagination, exports, "clear"). */
export function filterParams(filters: FilterValues): Record<string, string> {
  const set: Record<string, string> = {};
  for (const name of filterNames) if (filters[name]) set[name] = filters[name];
  return set;
}

export function hasFilters(filters: FilterValues): boolean {
  return filterNames.some((name) => filters[name] !== '');
}

const localDateTime = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A `datetime-local` value ("2026-03-01T09:30") read as UTC, as the form's hint says. Anything
 * else (a full ISO time with an offset pasted into the URL, or nonsense) goes to the API as it
 * is, so its own validation names the field.
 */
export function utcIso(value: string): string {
  const match = localDateTime.exec(value);
  if (!match) return value;
  const [, date, minutes, seconds] = match;
  const instant = new Date(`${date}T${minutes}${seconds ?? ':00'}Z`);
  return Number.isNaN(instant.getTime()) ? value : instant.toISOString();
}

/** The value a `datetime-local` input shows for a URL value (empty when it is not one). */
export function localInputValue(value: string): string {
  const match = localDateTime.exec(value);
  if (match) return `${match[1]}T${match[2]}`;
  const instant = new Date(value);
  if (!value || Number.isNaN(instant.getTime())) return '';
  return instant.toISOString().slice(0, 16);
}

export interface ApiFilter {
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Problems found before asking the API, keyed like the API's field errors. */
  readonly fieldErrors: Readonly<Record<string, string>>;
}

export function apiFilter(filters: FilterValues): ApiFilter {
  const from = filters.from ? utcIso(filters.from) : undefined;
  const to = filters.to ? utcIso(filters.to) : undefined;
  const fieldErrors: Record<string, string> = {};
  const fromTime = from ? Date.parse(from) : Number.NaN;
  const toTime = to ? Date.parse(to) : Number.NaN;
  if (!Number.isNaN(fromTime) && !Number.isNaN(toTime) && fromTime >= toTime)
    fieldErrors.to = 'must be after from';
  return {
    query: {
      actorId: filters.actorId || undefined,
      action: filters.action || undefined,
      targetId: filters.targetId || undefined,
      from,
      to,
    },
    fieldErrors,
  };
}

/**
 * Actions the services record, offered as suggestions in the action filter. The filter takes
 * any well-formed action name, so an action added later can still be searched for.
 */
export const knownActions = [
  'access-policy.create',
  'access-policy.update',
  'access-request.approve',
  'access-request.cancel',
  'access-request.create',
  'access-request.deny',
  'access-request.expire',
  'account-group.create',
  'account-group.member.add',
  'account-group.member.remove',
  'account.create',
  'account.delete',
  'account.update',
  'audit.export',
  'audit.verify',
  'auth.session.revoke',
  'auth.sign-in',
  'auth.token.refresh',
  'authorization.denied',
  'credential.inject',
  'credential.lookup',
  'credential.retrieve',
  'credential.reveal',
  'credential.set',
  'group.create',
  'group.member.add',
  'group.member.remove',
  'password-policy.create',
  'release.activate',
  'release.check-in',
  'release.expire',
  'release.revoke',
  'rotation.attempt',
  'rotation.cancel',
  'rotation.create',
  'rotation.finish',
  'rotation.schedule',
  'rotation.set',
  'rotation.start',
  'system.create',
  'system.delete',
  'system.update',
  'tenant.create',
  'tenant.offboard',
  'user.create',
  'user.password.change',
  'user.update',
] as const;

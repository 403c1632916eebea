import { decodeTime, encodeTime, monotonicFactory } from 'ulid';

/**
 * Prefixed ULIDs: sortable by creation time, unguessable enough to not leak counts, and
 * self-describing in logs (`acc_01JD…` is an account).
 */
export const idPrefixes = {
  tenant: 'ten',
  user: 'usr',
  group: 'grp',
  system: 'sys',
  account: 'acc',
  passwordPolicy: 'pwp',
  auditEvent: 'evt',
  session: 'ses',
  request: 'req',
  accessPolicy: 'apo',
  accountGroup: 'agr',
  release: 'rel',
  notification: 'ntf',
  rotation: 'rot',
  domainEvent: 'dev',
} as const;

export type IdKind = keyof typeof idPrefixes;

const nextUlid = monotonicFactory();

export const newId = (kind: IdKind): string => `${idPrefixes[kind]}_${nextUlid()}`;

/**
 * The id prefix of everything of `kind` made in the millisecond `at`: every id made at or after
 * `at` sorts after it, every id made before sorts before it. Bounds key ranges by creation time.
 */
export const idTimePrefix = (kind: IdKind, at: Date): string =>
  `${idPrefixes[kind]}_${encodeTime(at.getTime(), 10)}`;

/** The millisecond a prefixed id was made in. */
export const timeOfId = (id: string): Date => new Date(decodeTime(id.slice(id.indexOf('_') + 1)));

const ulidPattern = '[0-9A-HJKMNP-TV-Z]{26}';

export const idPattern = (kind: IdKind): RegExp => new RegExp(`^${idPrefixes[kind]}_${ulidPattern}$`);

export const isId = (kind: IdKind, value: string): boolean => idPattern(kind).test(value);

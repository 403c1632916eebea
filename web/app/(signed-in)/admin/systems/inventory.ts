import { type FieldErrors, type FormState, formStateOf } from '@/lib/api-problem';
import type { AccountKind, Platform } from '@/lib/inventory-terms';

/**
 * The inventory as the public API returns it (see the OpenAPI document at /v1/openapi.json), and
 * the small helpers the admin forms share to turn form fields into request bodies.
 */

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | null;
}

export const connectorKinds = [
  'ssh-password',
  'ssh-key',
  'postgresql',
  'mariadb',
  'active-directory',
] as const;

export const connectorLabels: Record<(typeof connectorKinds)[number], string> = {
  'ssh-password': 'SSH, password change',
  'ssh-key': 'SSH, authorized key change',
  postgresql: 'PostgreSQL',
  mariadb: 'MariaDB / MySQL',
  'active-directory': 'Active Directory (LDAPS)',
};

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekdayLabels: Record<(typeof weekdays)[number], string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export interface SystemConnection {
  readonly port?: number;
  readonly hostKeySha256?: string;
  readonly tls?: { readonly caCertificate?: string; readonly serverName?: string };
  readonly database?: string;
  readonly maxConcurrentRotations: number;
}

export interface System {
  readonly id: string;
  readonly name: string;
  readonly hostname: string | null;
  readonly ipAddress: string | null;
  readonly additionalAddresses: readonly string[];
  readonly websiteUrl: string | null;
  readonly applications: readonly string[];
  readonly platform: Platform;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly passwordPolicyId: string | null;
  readonly connection: SystemConnection;
  readonly accountCount: number;
  readonly createdAt: string;
}

export interface RotationWindow {
  readonly daysOfWeek: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly timezone: string;
}

export interface RotationSettings {
  readonly enabled: boolean;
  readonly rotateAfterRelease: boolean;
  readonly connector?: string;
  readonly functionalAccountId?: string;
  readonly maxAgeDays?: number;
  readonly window?: RotationWindow;
  readonly distinguishedName?: string;
  readonly databaseHost?: string;
}

export interface Account {
  readonly id: string;
  readonly systemId: string;
  readonly systemName: string;
  readonly platform: Platform;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly username: string;
  readonly kind: AccountKind;
  readonly description: string;
  readonly apiEnabled: boolean;
  readonly passwordPolicyId: string | null;
  readonly rotation: RotationSettings;
  readonly rotationState: {
    readonly status: 'never' | 'ok' | 'rotating' | 'failing';
    readonly lastRotatedAt: string | null;
    readonly nextDueAt: string | null;
    readonly activeRotationId: string | null;
    readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | null;
  };
  readonly accountGroupIds: readonly string[];
  readonly credential: { readonly currentVersion: number | null; readonly updatedAt: string | null };
  readonly createdAt: string;
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

export interface CharacterClassRule {
  readonly allowed: boolean;
  readonly min: number;
}

export interface PasswordRules {
  readonly length: number;
  readonly lowercase: CharacterClassRule;
  readonly uppercase: CharacterClassRule;
  readonly digits: CharacterClassRule;
  readonly symbols: CharacterClassRule;
  readonly allowedSymbols: string;
  readonly excludeLookAlikes: boolean;
  readonly maxAgeDays: number;
}

export interface PasswordPolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly isDefault: boolean;
  readonly rules: PasswordRules;
  readonly createdAt: string;
}

/** `username@system`, the way people name an account. */
export const accountName = (account: Pick<Account, 'username' | 'systemName'>) =>
  `${account.username}@${account.systemName}`;

// ---- Reading form fields ---------------------------------------------------------------------

/** A text field, trimmed ('' when absent). */
export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** A text field, or undefined when left empty. */
export function optionalText(form: FormData, name: string): string | undefined {
  const value = text(form, name);
  return value === '' ? undefined : value;
}

/** Several values typed into one field, separated by commas, semicolons, spaces or line breaks. */
export function list(form: FormData, name: string): string[] {
  return text(form, name)
    .split(/[\s,;]+/)
    .filter(Boolean);
}

/** Several values typed one per line or separated by commas (each may hold spaces, to be refused). */
export function entries(form: FormData, name: string): string[] {
  return text(form, name)
    .split(/[\r\n,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Values typed one per line (names that may contain spaces). */
export function lines(form: FormData, name: string): string[] {
  return text(form, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * A whole number, or undefined when left empty. Anything else is sent as typed so that the API
 * answers with its own message for the field.
 */
export function optionalInteger(form: FormData, name: string): number | string | undefined {
  const value = text(form, name);
  if (value === '') return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

export function checked(form: FormData, name: string): boolean {
  return form.get(name) !== null;
}

/**
 * What the user typed, to refill the form after a failed submit. Leaves out the CSRF token and
 * every field named in `secrets` (passwords and keys are never sent back to the browser).
 */
export function valuesOf(form: FormData, secrets: readonly string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (name === 'csrf' || name.startsWith('$ACTION') || secrets.includes(name)) continue;
    if (typeof value === 'string') values[name] = value;
  }
  return values;
}

const enumPrefix = 'Invalid option: expected one of ';

/** zod's message for a value outside a list, in plain words: "must be one of a, b or c". */
export function enumMessage(message: string): string {
  if (!message.startsWith(enumPrefix)) return message;
  const options = message
    .slice(enumPrefix.length)
    .split('|')
    .map((option) => option.replaceAll('"', ''));
  const last = options.pop();
  return options.length ? `must be one of ${options.join(', ')} or ${last}` : `must be ${last}`;
}

/** In a form the options are in the select itself. */
function plainMessage(message: string): string {
  return message.startsWith(enumPrefix) ? 'choose one of the options' : message;
}

/**
 * The form state for an API problem. Errors on list items (`tags.2`, `additionalAddresses.0`)
 * are shown on the list's field, naming the item the API refused. Errors of fields the form does
 * not have are spelled out in the message, so that none goes unseen.
 */
export function problemState(
  error: unknown,
  values: Record<string, string>,
  lists: Readonly<Record<string, readonly string[]>> = {},
): FormState {
  const state = formStateOf(error, values);
  if (!state.fieldErrors || Object.keys(state.fieldErrors).length === 0) return state;
  const fieldErrors: Record<string, string> = {};
  for (const [field, raw] of Object.entries(state.fieldErrors)) {
    const message = plainMessage(raw);
    const item = /^(.+?)\.(\d+)(?:\..*)?$/.exec(field);
    if (item) {
      const [, listName = field, position = '0'] = item;
      const value = lists[listName]?.[Number(position)];
      const named = value === undefined ? `item ${Number(position) + 1}` : `“${value}”`;
      if (!(listName in fieldErrors)) fieldErrors[listName] = `${named}: ${message}`;
    } else if (!(field in fieldErrors)) {
      fieldErrors[field] = message;
    }
  }
  const elsewhere = Object.entries(fieldErrors)
    .filter(([field]) => !(field in values) && !(field in lists))
    .map(([field, message]) => `${field}: ${message}`);
  const count = Object.keys(fieldErrors).length;
  const message = `Not saved: ${count === 1 ? 'one field needs' : `${count} fields need`} attention.${
    elsewhere.length ? ` ${elsewhere.join('; ')}.` : ''
  }`;
  return { ...state, message, fieldErrors: fieldErrors satisfies FieldErrors };
}

/** A failed form state for checks the portal makes before calling the API. */
export function invalid(
  fieldErrors: Record<string, string>,
  values: Record<string, string>,
  message = 'Check the highlighted fields.',
): FormState {
  return { ok: false, message, fieldErrors, values };
}

import { ValidationError } from '../kernel/errors.ts';
import type { AccountRecord } from '../vault/vault.ports.ts';
import type { RotationSettings } from './rotation.schemas.ts';
import { nextDueAt } from './rotation-schedule.ts';

/**
 * Checks shared by the two ways rotation settings are written (the account itself, through the
 * vault, and `setRotationSchedule`, through the rotation service).
 */

/** A functional account must be another account of the same tenant; `field` names it in the 400. */
export async function checkFunctionalAccount(
  accounts: { get(tenantId: string, accountId: string): Promise<AccountRecord | null> },
  tenantId: string,
  settings: RotationSettings,
  rotatedAccountId: string | null,
  field: readonly string[],
): Promise<void> {
  if (!settings.functionalAccountId) return;
  if (settings.functionalAccountId === rotatedAccountId) {
    throw ValidationError.field(field, 'must be another account than the one rotated');
  }
  if (!(await accounts.get(tenantId, settings.functionalAccountId))) {
    throw ValidationError.field(field, 'no such account');
  }
}

/**
 * When a scheduled rotation is next due under these settings: the credential's age against the
 * maximum (the settings', else the password policy's), moved into the rotation window; due at
 * once when there is no credential history. Null when scheduled rotation is off.
 */
export async function scheduledDueAt(
  account: Pick<AccountRecord, 'lastRotatedAt' | 'credentialUpdatedAt'>,
  settings: RotationSettings,
  policyMaxAgeDays: () => Promise<number>,
  now: Date,
): Promise<string | null> {
  if (!settings.enabled) return null;
  const changed = account.lastRotatedAt ?? account.credentialUpdatedAt;
  if (!changed) return now.toISOString();
  const maxAgeDays = settings.maxAgeDays ?? (await policyMaxAgeDays());
  return nextDueAt(new Date(changed), maxAgeDays, settings.window ?? null)?.toISOString() ?? null;
}

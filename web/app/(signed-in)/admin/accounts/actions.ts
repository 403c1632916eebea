'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { ApiProblem, api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import {
  type Account,
  type CredentialVersion,
  checked,
  invalid,
  optionalInteger,
  optionalText,
  problemState,
  text,
  valuesOf,
} from '../systems/inventory';

const secretFields = ['password', 'privateKey'];

function rotationOf(form: FormData) {
  const daysOfWeek = form.getAll('rotation.window.daysOfWeek').filter((v) => typeof v === 'string');
  return {
    enabled: checked(form, 'rotation.enabled'),
    rotateAfterRelease: checked(form, 'rotation.rotateAfterRelease'),
    connector: optionalText(form, 'rotation.connector'),
    functionalAccountId: optionalText(form, 'rotation.functionalAccountId'),
    maxAgeDays: optionalInteger(form, 'rotation.maxAgeDays'),
    window: checked(form, 'rotation.window.enabled')
      ? {
          daysOfWeek,
          from: optionalText(form, 'rotation.window.from'),
          to: optionalText(form, 'rotation.window.to'),
          timezone: optionalText(form, 'rotation.window.timezone'),
        }
      : undefined,
    distinguishedName: optionalText(form, 'rotation.distinguishedName'),
    databaseHost: optionalText(form, 'rotation.databaseHost'),
  };
}

type CredentialBody = { password: string } | { privateKey: string } | { generate: true };

/**
 * The credential the form asks for, checked against the account's kind before anything is sent:
 * null for "not now", or the field errors to show.
 */
function credentialOf(
  form: FormData,
  kind: string,
): { body: CredentialBody | null } | { errors: Record<string, string> } {
  const mode = text(form, 'credentialMode') || 'none';
  if (mode === 'none') return { body: null };
  if (mode === 'generate') return { body: { generate: true } };
  if (kind === 'ssh-key') {
    const privateKey = form.get('privateKey');
    if (typeof privateKey !== 'string' || privateKey.trim() === '') {
      return { errors: { privateKey: 'Paste the private key, or choose to generate one.' } };
    }
    return { body: { privateKey: `${privateKey.trim()}\n` } };
  }
  const password = form.get('password');
  if (typeof password !== 'string' || password === '') {
    return { errors: { password: 'Type the password, or choose another option.' } };
  }
  return { body: { password } };
}

export async function createAccountAction(_previous: FormState, form: FormData): Promise<FormState> {
  await verifyCsrf(form);
  const values = valuesOf(form, secretFields);
  const kind = text(form, 'kind');
  const credential = credentialOf(form, kind);
  if ('errors' in credential) return invalid(credential.errors, values);
  let account: Account;
  try {
    account = await api<Account>('/v1/accounts', {
      method: 'POST',
      body: {
        systemId: text(form, 'systemId'),
        username: text(form, 'username'),
        kind,
        description: text(form, 'description'),
        apiEnabled: checked(form, 'apiEnabled'),
        passwordPolicyId: optionalText(form, 'passwordPolicyId'),
        rotation: rotationOf(form),
      },
    });
  } catch (error) {
    return problemState(error, values);
  }
  revalidatePath(`/admin/systems/${account.systemId}`);
  const next = new URLSearchParams({ created: '1' });
  if (credential.body) {
    try {
      await api<CredentialVersion>(`/v1/accounts/${account.id}/credential`, {
        method: 'POST',
        body: credential.body,
      });
      next.set('credential', 'generate' in credential.body ? 'generated' : 'set');
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      // The account exists now; its page says why the secret was refused.
      next.set('credential', 'failed');
      const field = Object.entries(error.fieldErrors)[0];
      next.set('problem', (field ? `${field[1]}` : error.detail || error.title).slice(0, 300));
    }
  }
  redirect(`/admin/accounts/${account.id}?${next}`);
}

export async function updateAccountAction(
  accountId: string,
  _previous: FormState,
  form: FormData,
): Promise<FormState> {
  await verifyCsrf(form);
  const values = valuesOf(form, secretFields);
  try {
    await api<Account>(`/v1/accounts/${encodeURIComponent(accountId)}`, {
      method: 'PATCH',
      body: {
        description: text(form, 'description'),
        apiEnabled: checked(form, 'apiEnabled'),
        passwordPolicyId: optionalText(form, 'passwordPolicyId') ?? null,
        rotation: rotationOf(form),
      },
    });
  } catch (error) {
    return problemState(error, values);
  }
  revalidatePath(`/admin/accounts/${accountId}`);
  return { ok: true, message: 'The account’s settings were saved.' };
}

export async function setCredentialAction(
  accountId: string,
  kind: string,
  _previous: FormState,
  form: FormData,
): Promise<FormState> {
  await verifyCsrf(form);
  const values = valuesOf(form, secretFields);
  const credential = credentialOf(form, kind);
  if ('errors' in credential) return invalid(credential.errors, values);
  if (!credential.body) return invalid({ generate: 'Choose how to set the credential.' }, values);
  let version: CredentialVersion;
  try {
    version = await api<CredentialVersion>(`/v1/accounts/${encodeURIComponent(accountId)}/credential`, {
      method: 'POST',
      body: { ...credential.body, reason: optionalText(form, 'reason') },
    });
  } catch (error) {
    return problemState(error, values);
  }
  revalidatePath(`/admin/accounts/${accountId}`);
  return {
    ok: true,
    message: `Version ${version.version} is now the current ${
      version.type === 'ssh-key' ? 'key' : 'password'
    }${version.source === 'generated' ? ' (generated)' : ''}.`,
  };
}

export async function deleteAccountAction(
  accountId: string,
  systemId: string,
  name: string,
  _previous: FormState,
  form: FormData,
): Promise<FormState> {
  await verifyCsrf(form);
  if (!checked(form, 'confirm')) {
    return invalid({ confirm: 'Tick the box to confirm that the account should be deleted.' }, {});
  }
  try {
    await api(`/v1/accounts/${encodeURIComponent(accountId)}`, { method: 'DELETE' });
  } catch (error) {
    return problemState(error, {});
  }
  revalidatePath(`/admin/systems/${systemId}`);
  redirect(`/admin/systems/${systemId}?accountDeleted=${encodeURIComponent(name)}`);
}

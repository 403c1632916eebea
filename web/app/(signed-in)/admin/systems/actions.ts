'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import {
  checked,
  entries,
  invalid,
  lines,
  list,
  optionalInteger,
  optionalText,
  problemState,
  type System,
  text,
  valuesOf,
} from './inventory';

/** How the rotation engine reaches the system, from the connection fields of the form. */
function connectionOf(form: FormData) {
  const caCertificate = optionalText(form, 'connection.tls.caCertificate');
  const serverName = optionalText(form, 'connection.tls.serverName');
  return {
    port: optionalInteger(form, 'connection.port'),
    hostKeySha256: optionalText(form, 'connection.hostKeySha256'),
    database: optionalText(form, 'connection.database'),
    tls: caCertificate || serverName ? { caCertificate, serverName } : undefined,
    maxConcurrentRotations: optionalInteger(form, 'connection.maxConcurrentRotations') ?? 2,
  };
}

export async function createSystemAction(_previous: FormState, form: FormData): Promise<FormState> {
  await verifyCsrf(form);
  const values = valuesOf(form);
  const tags = list(form, 'tags');
  const additionalAddresses = entries(form, 'additionalAddresses');
  const applications = lines(form, 'applications');
  let created: System;
  try {
    created = await api<System>('/v1/systems', {
      method: 'POST',
      body: {
        name: text(form, 'name'),
        platform: text(form, 'platform'),
        workgroup: optionalText(form, 'workgroup'),
        tags,
        hostname: optionalText(form, 'hostname'),
        ipAddress: optionalText(form, 'ipAddress'),
        additionalAddresses,
        websiteUrl: optionalText(form, 'websiteUrl'),
        applications,
        description: text(form, 'description'),
        passwordPolicyId: optionalText(form, 'passwordPolicyId'),
        connection: connectionOf(form),
      },
    });
  } catch (error) {
    return problemState(error, values, { tags, additionalAddresses, applications });
  }
  revalidatePath('/admin/systems');
  redirect(`/admin/systems/${created.id}?created=1`);
}

export async function updateSystemAction(
  systemId: string,
  _previous: FormState,
  form: FormData,
): Promise<FormState> {
  await verifyCsrf(form);
  const values = valuesOf(form);
  const additionalAddresses = entries(form, 'additionalAddresses');
  const applications = lines(form, 'applications');
  try {
    await api<System>(`/v1/systems/${encodeURIComponent(systemId)}`, {
      method: 'PATCH',
      body: {
        hostname: optionalText(form, 'hostname') ?? null,
        ipAddress: optionalText(form, 'ipAddress') ?? null,
        additionalAddresses,
        websiteUrl: optionalText(form, 'websiteUrl') ?? null,
        applications,
        description: text(form, 'description'),
        passwordPolicyId: optionalText(form, 'passwordPolicyId') ?? null,
        connection: connectionOf(form),
      },
    });
  } catch (error) {
    return problemState(error, values, { additionalAddresses, applications });
  }
  revalidatePath(`/admin/systems/${systemId}`);
  revalidatePath('/admin/systems');
  return { ok: true, message: 'The system’s settings were saved.' };
}

export async function deleteSystemAction(
  systemId: string,
  systemName: string,
  _previous: FormState,
  form: FormData,
): Promise<FormState> {
  await verifyCsrf(form);
  if (!checked(form, 'confirm')) {
    return invalid({ confirm: 'Tick the box to confirm that the system should be deleted.' }, {});
  }
  try {
    await api(`/v1/systems/${encodeURIComponent(systemId)}`, { method: 'DELETE' });
  } catch (error) {
    return problemState(error, {});
  }
  revalidatePath('/admin/systems');
  redirect(`/admin/systems?deleted=${encodeURIComponent(systemName)}`);
}

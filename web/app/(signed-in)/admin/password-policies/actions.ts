'use server';

import { revalidatePath } from 'next/cache';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import {
  checked,
  optionalInteger,
  optionalText,
  type PasswordPolicy,
  problemState,
  text,
  valuesOf,
} from '../systems/inventory';

const characterClasses = ['lowercase', 'uppercase', 'digits', 'symbols'] as const;

export async function createPasswordPolicyAction(_previous: FormState, form: FormData): Promise<FormState> {
  await verifyCsrf(form);
  const values = valuesOf(form);
  const classes = Object.fromEntries(
    characterClasses.map((name) => {
      const allowed = checked(form, `rules.${name}.allowed`);
      // A class that is not allowed has no minimum.
      return [name, { allowed, min: allowed ? (optionalInteger(form, `rules.${name}.min`) ?? 0) : 0 }];
    }),
  );
  let policy: PasswordPolicy;
  try {
    policy = await api<PasswordPolicy>('/v1/password-policies', {
      method: 'POST',
      body: {
        name: text(form, 'name'),
        description: text(form, 'description'),
        isDefault: checked(form, 'isDefault'),
        rules: {
          length: optionalInteger(form, 'rules.length'),
          ...classes,
          allowedSymbols: optionalText(form, 'rules.allowedSymbols'),
          excludeLookAlikes: checked(form, 'rules.excludeLookAlikes'),
          maxAgeDays: optionalInteger(form, 'rules.maxAgeDays'),
        },
      },
    });
  } catch (error) {
    return problemState(error, values);
  }
  revalidatePath('/admin/password-policies');
  return {
    ok: true,
    message: `Password policy “${policy.name}” was created${policy.isDefault ? ' and is now the default' : ''}.`,
  };
}

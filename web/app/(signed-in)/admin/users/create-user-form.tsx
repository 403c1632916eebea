'use client';

import { ActionForm, Field, SubmitButton } from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';
import { CheckboxGroup, type CheckboxOption } from './_components/checkbox-group';
import { remembered, rememberedOne, useRememberedAction } from './_components/remembered-action';

export function CreateUserForm({
  action,
  csrf,
  roles,
}: {
  action: (previous: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  roles: readonly CheckboxOption[];
}) {
  const [wrapped, submitted] = useRememberedAction(action);
  return (
    <ActionForm action={wrapped} csrf={csrf} label="Add a user" className="stack">
      <Field
        name="email"
        label="E-mail"
        type="email"
        autoComplete="off"
        required
        defaultValue={rememberedOne(submitted, 'email', '')}
      />
      <Field
        name="displayName"
        label="Display name"
        autoComplete="off"
        required
        defaultValue={rememberedOne(submitted, 'displayName', '')}
      />
      <Field
        name="password"
        label="Initial password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 12 characters. Share it with the user through a separate channel, never in the same message as their e-mail address."
      />
      <CheckboxGroup
        legend="Direct roles"
        name="roles"
        options={roles}
        defaultValues={remembered(submitted, 'roles', [])}
        hint="Roles can also come from groups; a user with no role can sign in but do nothing."
      />
      <div className="button-row">
        <SubmitButton pendingLabel="Creating user…">Create user</SubmitButton>
      </div>
    </ActionForm>
  );
}

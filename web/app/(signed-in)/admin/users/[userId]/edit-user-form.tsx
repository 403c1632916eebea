'use client';

import { ActionForm, Field, SubmitButton } from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';
import { CheckboxGroup, type CheckboxOption } from '../_components/checkbox-group';
import { remembered, rememberedOne, useRememberedAction } from '../_components/remembered-action';

export function EditUserForm({
  action,
  csrf,
  roles,
  displayName,
  directRoles,
  isSelf,
}: {
  action: (previous: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  roles: readonly CheckboxOption[];
  displayName: string;
  directRoles: readonly string[];
  isSelf: boolean;
}) {
  const [wrapped, submitted] = useRememberedAction(action);
  return (
    <ActionForm action={wrapped} csrf={csrf} label="Name and roles" className="stack">
      <Field
        name="displayName"
        label="Display name"
        autoComplete="off"
        required
        defaultValue={rememberedOne(submitted, 'displayName', displayName)}
      />
      <CheckboxGroup
        legend="Direct roles"
        name="roles"
        options={roles}
        defaultValues={remembered(submitted, 'roles', directRoles)}
        hint={
          isSelf
            ? 'This is you: you cannot drop your own tenant administrator role.'
            : 'Roles given through groups stay as long as the user is a member.'
        }
      />
      <div className="button-row">
        <SubmitButton pendingLabel="Saving…">Save name and roles</SubmitButton>
      </div>
    </ActionForm>
  );
}

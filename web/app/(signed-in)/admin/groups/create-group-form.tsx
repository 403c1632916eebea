'use client';

import { ActionForm, Field, SubmitButton, TextAreaField } from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';
import { CheckboxGroup, type CheckboxOption } from '../users/_components/checkbox-group';
import { remembered, rememberedOne, useRememberedAction } from '../users/_components/remembered-action';

export function CreateGroupForm({
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
    <ActionForm action={wrapped} csrf={csrf} label="Create a group" className="stack">
      <Field
        name="name"
        label="Name"
        autoComplete="off"
        required
        defaultValue={rememberedOne(submitted, 'name', '')}
      />
      <TextAreaField
        name="description"
        label="Description"
        rows={2}
        hint="What the group is for, for example “Database on-call engineers”."
        defaultValue={rememberedOne(submitted, 'description', '')}
      />
      <CheckboxGroup
        legend="Roles its members get"
        name="roles"
        options={roles}
        defaultValues={remembered(submitted, 'roles', [])}
        hint="Optional. A group without roles can still name requesters or approvers in access policies."
      />
      <div className="button-row">
        <SubmitButton pendingLabel="Creating group…">Create group</SubmitButton>
      </div>
    </ActionForm>
  );
}

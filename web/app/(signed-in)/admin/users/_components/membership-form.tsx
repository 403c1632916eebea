import type { ReactNode } from 'react';
import { ActionForm } from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';

/**
 * The table of a user's groups or a group's members: a form whose rows each have a "Remove"
 * button when the viewer may change memberships, plain content otherwise.
 */
export function MembershipForm({
  enabled,
  action,
  csrf,
  label,
  fixed,
  children,
}: {
  enabled: boolean;
  action: (previous: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  label: string;
  /** The side of the membership that every row shares: `groupId` or `userId`, and its value. */
  fixed: { readonly name: 'groupId' | 'userId'; readonly value: string };
  children: ReactNode;
}) {
  if (!enabled) return children;
  return (
    <ActionForm action={action} csrf={csrf} label={label}>
      <input type="hidden" name={fixed.name} value={fixed.value} />
      {children}
    </ActionForm>
  );
}

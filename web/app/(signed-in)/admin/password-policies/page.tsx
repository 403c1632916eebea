import type { Metadata } from 'next';
import { ActionForm, CheckboxField, Field, SubmitButton, TextAreaField } from '@/components/action-form';
import { EmptyState, ErrorNotice, PageHeader, Pagination, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import type { Page, PasswordPolicy, PasswordRules } from '../systems/inventory';
import styles from '../systems/inventory.module.css';
import { createPasswordPolicyAction } from './actions';

export const metadata: Metadata = { title: 'Password policies' };

type Search = Promise<Record<string, string | string[] | undefined>>;

const classLabels = {
  lowercase: 'Lowercase letters (a–z)',
  uppercase: 'Uppercase letters (A–Z)',
  digits: 'Digits (0–9)',
  symbols: 'Symbols',
} as const;
const classNames = ['lowercase', 'uppercase', 'digits', 'symbols'] as const;

/** The defaults of the API's password rules, offered in the form. */
const defaultSymbols = '!#$%&()*+,-./:;<=>?@[]^_{|}~';

function describeClasses(rules: PasswordRules): string {
  const parts = classNames
    .filter((name) => rules[name].allowed)
    .map((name) => {
      const label = { lowercase: 'a–z', uppercase: 'A–Z', digits: '0–9', symbols: 'symbols' }[name];
      return rules[name].min > 0 ? `${label} (at least ${rules[name].min})` : label;
    });
  return parts.join(', ');
}

export default async function PasswordPoliciesPage({ searchParams }: { searchParams: Search }) {
  const session = await requireSession();
  const search = await searchParams;
  const cursor = typeof search.cursor === 'string' ? search.cursor : undefined;
  if (!can(session, 'password-policy:read')) {
    return (
      <>
        <PageHeader title="Password policies" />
        <ErrorNotice title="Not available to you">
          <p>Password policies need the tenant administrator or password administrator role.</p>
        </ErrorNotice>
      </>
    );
  }
  const page = await api<Page<PasswordPolicy>>('/v1/password-policies', { query: { cursor, limit: 50 } });

  return (
    <>
      <PageHeader
        title="Password policies"
        description="The rules for passwords Strongroom generates and how old a password may get before rotation. An account uses its own policy, else its system’s, else the organisation default."
      />
      <section aria-labelledby="policies-heading">
        <h2 id="policies-heading">Policies</h2>
        {page.items.length === 0 && !cursor ? (
          <EmptyState title="No password policies yet">
            <p>
              Until there is one, generated passwords are 24 characters from all four character classes,
              without look-alike characters, and expire after 90 days.
            </p>
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <caption>Password policies of this organisation</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Length</th>
                    <th scope="col">Characters</th>
                    <th scope="col">Look-alikes</th>
                    <th scope="col">Maximum age</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((policy) => (
                    <tr key={policy.id}>
                      <td>
                        <strong>{policy.name}</strong>{' '}
                        {policy.isDefault ? <span className="badge badge-info">default</span> : null}
                        {policy.description ? (
                          <>
                            <br />
                            <span className="muted small">{policy.description}</span>
                          </>
                        ) : null}
                      </td>
                      <td>{policy.rules.length}</td>
                      <td>
                        {describeClasses(policy.rules)}
                        {policy.rules.symbols.allowed ? (
                          <>
                            <br />
                            <span className="mono small">{policy.rules.allowedSymbols}</span>
                          </>
                        ) : null}
                      </td>
                      <td>{policy.rules.excludeLookAlikes ? 'Left out' : 'Allowed'}</td>
                      <td>{policy.rules.maxAgeDays} days</td>
                      <td>
                        <Time value={policy.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination
              basePath="/admin/password-policies"
              params={{}}
              nextCursor={page.nextCursor}
              hasPrevious={Boolean(cursor)}
            />
          </>
        )}
      </section>

      {can(session, 'password-policy:create') ? (
        <section aria-labelledby="new-policy-heading">
          <h2 id="new-policy-heading">New password policy</h2>
          <ActionForm
            action={createPasswordPolicyAction}
            csrf={session.csrfToken}
            label="New password policy"
            className="stack card"
            resetOnSuccess
          >
            <div className={styles.fieldGrid}>
              <Field name="name" label="Name" required maxLength={120} autoComplete="off" />
              <Field
                name="rules.length"
                label="Length"
                type="number"
                min={8}
                max={128}
                required
                defaultValue="24"
                hint="8 to 128 characters."
              />
              <Field
                name="rules.maxAgeDays"
                label="Maximum age in days"
                type="number"
                min={1}
                max={3650}
                required
                defaultValue="90"
                hint="Rotation is due when a password gets this old."
              />
            </div>
            <TextAreaField name="description" label="Description" maxLength={1000} rows={2} />
            <fieldset className="stack">
              <legend>Character classes</legend>
              <p className="field-hint">
                At least one class must be allowed, and the minimums together may not exceed the length.
              </p>
              <div className={styles.fieldGrid}>
                {classNames.map((name) => (
                  <fieldset key={name} className="stack">
                    <legend>{classLabels[name]}</legend>
                    <CheckboxField name={`rules.${name}.allowed`} label="Allowed" defaultChecked />
                    <Field
                      name={`rules.${name}.min`}
                      label="At least"
                      type="number"
                      min={0}
                      max={128}
                      defaultValue="1"
                    />
                  </fieldset>
                ))}
              </div>
              <Field
                name="rules.allowedSymbols"
                label="Allowed symbols"
                defaultValue={defaultSymbols}
                hint="Printable ASCII symbols, each once (at most 32). Some systems refuse certain symbols."
                className="mono"
                autoComplete="off"
                spellCheck={false}
              />
              <CheckboxField
                name="rules.excludeLookAlikes"
                label="Leave out look-alike characters"
                hint="Such as I, l, 1, O and 0, which are easily confused when read aloud or typed."
                defaultChecked
              />
            </fieldset>
            <CheckboxField
              name="isDefault"
              label="Make this the organisation’s default policy"
              hint="Applies to every account and system that names no policy of its own."
            />
            <div className="button-row">
              <SubmitButton pendingLabel="Creating the policy…">Create policy</SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}

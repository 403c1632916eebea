import { CheckboxField, Field, SelectField, TextAreaField } from '@/components/action-form';
import type { Platform } from '@/lib/inventory-terms';
import {
  type Account,
  connectorKinds,
  connectorLabels,
  type PasswordPolicy,
  weekdayLabels,
  weekdays,
} from '../systems/inventory';
import styles from '../systems/inventory.module.css';
import { policyOptions } from '../systems/load';
import { WeekdayField } from './weekday-field';

/** Description, API use, password policy and rotation of an account (new or existing). */
export function AccountSettingsFields({
  account,
  platform,
  policies,
}: {
  account?: Account;
  platform: Platform;
  policies: readonly PasswordPolicy[];
}) {
  const rotation = account?.rotation;
  const window = rotation?.window;
  const directory = platform === 'active-directory' || platform === 'ldap';
  const mariadb = platform === 'mariadb' || platform === 'mysql';
  return (
    <>
      <TextAreaField
        name="description"
        label="Description"
        hint="What the account is for and who looks after it."
        defaultValue={account?.description ?? ''}
        maxLength={1000}
        rows={3}
      />
      <SelectField
        name="passwordPolicyId"
        label="Password policy"
        defaultValue={account?.passwordPolicyId ?? ''}
        options={policyOptions(policies, 'The system’s policy (or the organisation default)')}
      />
      <CheckboxField
        name="apiEnabled"
        label="Used by applications through the API"
        hint="Marks accounts that scripts and integrations work with, rather than people."
        defaultChecked={account?.apiEnabled ?? false}
      />

      <fieldset className="stack">
        <legend>Rotation</legend>
        <CheckboxField
          name="rotation.enabled"
          label="Rotate on a schedule"
          hint="Strongroom changes the password when it reaches the maximum age; a new account is rotated as soon as it has a credential."
          defaultChecked={rotation?.enabled ?? false}
        />
        <CheckboxField
          name="rotation.rotateAfterRelease"
          label="Rotate after every use"
          hint="Changes the password when a granted access ends (check-in, revocation or expiry)."
          defaultChecked={rotation?.rotateAfterRelease ?? false}
        />
        <div className={styles.fieldGrid}>
          <SelectField
            name="rotation.connector"
            label="Connector"
            hint="How the password is changed on the system; automatic chooses by platform and kind."
            defaultValue={rotation?.connector ?? ''}
            options={[
              { value: '', label: 'Automatic' },
              ...connectorKinds.map((connector) => ({ value: connector, label: connectorLabels[connector] })),
            ]}
          />
          <Field
            name="rotation.maxAgeDays"
            label="Maximum age in days"
            type="number"
            min={1}
            max={3650}
            hint="Leave empty to follow the password policy."
            defaultValue={rotation?.maxAgeDays?.toString() ?? ''}
          />
          <Field
            name="rotation.functionalAccountId"
            label="Change through account"
            hint="Id (acc_…) of a privileged account that changes this password, instead of the account itself."
            defaultValue={rotation?.functionalAccountId ?? ''}
            autoComplete="off"
          />
          {directory ? (
            <Field
              name="rotation.distinguishedName"
              label="Distinguished name"
              hint="Looked up by user name when empty."
              defaultValue={rotation?.distinguishedName ?? ''}
              autoComplete="off"
            />
          ) : null}
          {mariadb ? (
            <Field
              name="rotation.databaseHost"
              label="Database host part"
              hint="The host of 'user'@'host'; default %."
              defaultValue={rotation?.databaseHost ?? ''}
              autoComplete="off"
            />
          ) : null}
        </div>
        <CheckboxField
          name="rotation.window.enabled"
          label="Rotate only inside a time window"
          hint="Scheduled rotations wait for the window; rotations asked for by hand run at once."
          defaultChecked={window !== undefined}
        />
        <WeekdayField
          name="rotation.window.daysOfWeek"
          legend="Window days"
          days={weekdays.map((day) => ({ value: day, label: weekdayLabels[day] }))}
          selected={window?.daysOfWeek ?? weekdays}
        />
        <div className={styles.fieldGrid}>
          <Field
            name="rotation.window.from"
            label="Window opens"
            type="time"
            defaultValue={window?.from ?? '22:00'}
          />
          <Field
            name="rotation.window.to"
            label="Window closes"
            type="time"
            defaultValue={window?.to ?? '05:00'}
          />
          <Field
            name="rotation.window.timezone"
            label="Time zone"
            hint="An IANA name such as Europe/Berlin."
            defaultValue={window?.timezone ?? 'UTC'}
            autoComplete="off"
          />
        </div>
      </fieldset>
    </>
  );
}

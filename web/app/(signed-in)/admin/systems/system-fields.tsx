import { Field, SelectField, TextAreaField } from '@/components/action-form';
import { platformLabel, platforms } from '@/lib/inventory-terms';
import type { PasswordPolicy, System } from './inventory';
import styles from './inventory.module.css';
import { policyOptions } from './load';

/**
 * The fields of a system. Name, platform, workgroup and tags are set once, when the system is
 * created (its accounts carry copies of them); the rest can be changed later.
 */
export function SystemFields({ system, policies }: { system?: System; policies: readonly PasswordPolicy[] }) {
  const connection = system?.connection;
  return (
    <>
      {system ? null : (
        <fieldset className="stack">
          <legend>Identity</legend>
          <p className="field-hint">These stay fixed once the system is created.</p>
          <div className={styles.fieldGrid}>
            <Field name="name" label="Name" required maxLength={120} autoComplete="off" />
            <SelectField
              name="platform"
              label="Platform"
              required
              defaultValue=""
              options={[
                { value: '', label: 'Choose a platform' },
                ...platforms.map((platform) => ({ value: platform, label: platformLabel(platform) })),
              ]}
            />
            <Field
              name="workgroup"
              label="Workgroup"
              placeholder="default"
              hint="Lowercase letters, digits, - and _. Access policies can select accounts by workgroup."
              autoComplete="off"
            />
            <Field
              name="tags"
              label="Tags"
              hint="Separated by commas or spaces, e.g. prod, pci."
              autoComplete="off"
            />
          </div>
        </fieldset>
      )}

      <fieldset className="stack">
        <legend>Addresses</legend>
        <p className="field-hint">A hostname or an IP address is required.</p>
        <div className={styles.fieldGrid}>
          <Field
            name="hostname"
            label="Hostname"
            defaultValue={system?.hostname ?? ''}
            placeholder="web-01.example.internal"
            autoComplete="off"
          />
          <Field
            name="ipAddress"
            label="IP address"
            defaultValue={system?.ipAddress ?? ''}
            placeholder="10.0.0.15"
            autoComplete="off"
          />
        </div>
        <TextAreaField
          name="additionalAddresses"
          label="Other addresses"
          hint="Aliases and further IPs that reach the same system, one per line (at most 20)."
          defaultValue={system?.additionalAddresses.join('\n') ?? ''}
          rows={3}
        />
        <Field
          name="websiteUrl"
          label="Web console URL"
          type="url"
          hint="Where the system’s own management page is, if it has one."
          defaultValue={system?.websiteUrl ?? ''}
          placeholder="https://"
          autoComplete="off"
        />
        <TextAreaField
          name="applications"
          label="Applications"
          hint="Programs people use to work on this system (for example psql or ssms), one per line."
          defaultValue={system?.applications.join('\n') ?? ''}
          rows={3}
        />
      </fieldset>

      <fieldset className="stack">
        <legend>Description and password policy</legend>
        <TextAreaField
          name="description"
          label="Description"
          defaultValue={system?.description ?? ''}
          maxLength={1000}
          rows={3}
        />
        <SelectField
          name="passwordPolicyId"
          label="Password policy"
          hint="Applies to the system’s accounts unless an account names a policy of its own."
          defaultValue={system?.passwordPolicyId ?? ''}
          options={policyOptions(policies, 'The organisation’s default policy')}
        />
      </fieldset>

      <fieldset className="stack">
        <legend>Connection for rotation</legend>
        <p className="field-hint">
          How Strongroom reaches the system to change passwords. Leave a field empty to use the platform’s
          default.
        </p>
        <div className={styles.fieldGrid}>
          <Field
            name="connection.port"
            label="Port"
            type="number"
            min={1}
            max={65535}
            hint="Default: 22 for SSH, 5432 PostgreSQL, 3306 MariaDB, 636 LDAPS."
            defaultValue={connection?.port?.toString() ?? ''}
          />
          <Field
            name="connection.maxConcurrentRotations"
            label="Rotations at the same time"
            type="number"
            min={1}
            max={50}
            hint="Protects busy systems such as domain controllers (1–50)."
            defaultValue={String(connection?.maxConcurrentRotations ?? 2)}
          />
          <Field
            name="connection.hostKeySha256"
            label="SSH host key fingerprint"
            hint="As ssh-keygen -l prints it (SHA256:…). Any other key stops the rotation."
            defaultValue={connection?.hostKeySha256 ?? ''}
            autoComplete="off"
          />
          <Field
            name="connection.database"
            label="Database"
            hint="PostgreSQL only; default postgres."
            defaultValue={connection?.database ?? ''}
            autoComplete="off"
          />
          <Field
            name="connection.tls.serverName"
            label="TLS server name"
            hint="When the certificate names the server differently from its address."
            defaultValue={connection?.tls?.serverName ?? ''}
            autoComplete="off"
          />
        </div>
        <TextAreaField
          name="connection.tls.caCertificate"
          label="TLS CA certificate"
          hint="PEM of the authority that signed the server’s certificate, when it is a private one."
          defaultValue={connection?.tls?.caCertificate ?? ''}
          rows={4}
          className="mono"
        />
      </fieldset>
    </>
  );
}

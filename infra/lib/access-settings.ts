import type { Node } from 'constructs';

/**
 * Deployment settings of the access context, from CDK context values:
 *
 *   npx cdk deploy --all -c stage=prod -c notificationSender=pam@example.com -c portalUrl=https://pam.example.com
 *
 * - `notificationSender`: the SES identity notification e-mails come from (STRONGROOM_EMAIL_FROM).
 *   Optional: without it the access functions get no such variable and no SES permission, and
 *   notifications are in-app only.
 * - `portalUrl`: base URL of the tenant portal, for links in e-mails (STRONGROOM_PORTAL_URL).
 *   Optional: without it the links point at the stage's API URL, the only URL a stage has until
 *   a portal is deployed.
 */
export interface AccessSettings {
  readonly notificationSender?: string;
  readonly portalUrl?: string;
}

export const notificationSenderContextKey = 'notificationSender';
export const portalUrlContextKey = 'portalUrl';

/** A bare address (no display name): IAM's `ses:FromAddress` condition compares it verbatim. */
const emailAddress =
  /^[^\s@<>"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Reads and validates the settings; an invalid value fails the synthesis with its reason. */
export function accessSettingsFromContext(node: Node): AccessSettings {
  const read = (key: string): string | undefined => {
    const value = node.tryGetContext(key) as unknown;
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`Context value "${key}" must be a string`);
    return value.trim() === '' ? undefined : value.trim();
  };
  return validateAccessSettings({
    notificationSender: read(notificationSenderContextKey),
    portalUrl: read(portalUrlContextKey),
  });
}

export function validateAccessSettings(settings: AccessSettings): AccessSettings {
  const { notificationSender, portalUrl } = settings;
  if (notificationSender !== undefined && !emailAddress.test(notificationSender)) {
    throw new Error(
      `Invalid notificationSender "${notificationSender}": a bare e-mail address verified in SES (no display name)`,
    );
  }
  if (portalUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(portalUrl);
    } catch {
      throw new Error(`Invalid portalUrl "${portalUrl}": not a URL`);
    }
    if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) {
      throw new Error(
        `Invalid portalUrl "${portalUrl}": an https URL without credentials, query or fragment`,
      );
    }
  }
  return {
    ...(notificationSender !== undefined ? { notificationSender } : {}),
    ...(portalUrl !== undefined ? { portalUrl } : {}),
  };
}

/** The domain part of an address, lower-cased: SES may verify the domain instead of the address. */
export const senderDomainOf = (address: string): string =>
  address.slice(address.lastIndexOf('@') + 1).toLowerCase();

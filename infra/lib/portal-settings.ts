import type { Node } from 'constructs';

/**
 * Deployment settings of the tenant portal, from CDK context values:
 *
 *   npx cdk deploy --all -c portalDomainName=pam.example.com \
 *     -c portalCertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/… \
 *     -c portalWebAclArn=arn:aws:wafv2:us-east-1:123456789012:global/webacl/…
 *
 * - `portal`: `false` leaves the portal stack out (an API-only synth needs no web build).
 * - `portalDomainName` and `portalCertificateArn` (together): the portal's own domain, with an ACM
 *   certificate in us-east-1 (CloudFront's region for certificates). Only with a certificate of
 *   its own can the distribution refuse TLS below 1.2; on its `*.cloudfront.net` name CloudFront
 *   decides. The domain also becomes the API's portal URL (links in e-mails) unless `portalUrl`
 *   says otherwise.
 * - `portalWebAclArn`: a WAF web ACL (scope CLOUDFRONT, hence also in us-east-1) to attach.
 * - `portalOriginVerifyGeneration`: a positive whole number, 1 by default. Raising it replaces the
 *   origin-verify secret, the header CloudFront sends to the portal function (see portal-stack.ts):
 *   the way to rotate it is to deploy with the next number.
 */
export interface PortalSettings {
  readonly domainName?: string;
  readonly certificateArn?: string;
  readonly webAclArn?: string;
  /** @default 1 */
  readonly originVerifyGeneration?: number;
}

export const portalContextKey = 'portal';
export const portalDomainNameContextKey = 'portalDomainName';
export const portalCertificateArnContextKey = 'portalCertificateArn';
export const portalWebAclArnContextKey = 'portalWebAclArn';
export const portalOriginVerifyGenerationContextKey = 'portalOriginVerifyGeneration';

const hostName = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const certificateArn = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
const webAclArn = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]{36}$/;

/** Whether the app deploys the portal (`-c portal=false` leaves it out). */
export function portalEnabledFromContext(node: Node): boolean {
  const value = node.tryGetContext(portalContextKey) as unknown;
  return !(value === false || value === 'false');
}

/** Reads and validates the settings; an invalid value fails the synthesis with its reason. */
export function portalSettingsFromContext(node: Node): PortalSettings {
  const read = (key: string): string | undefined => {
    const value = node.tryGetContext(key) as unknown;
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`Context value "${key}" must be a string`);
    return value.trim() === '' ? undefined : value.trim();
  };
  const generation = readGeneration(node.tryGetContext(portalOriginVerifyGenerationContextKey) as unknown);
  return validatePortalSettings({
    domainName: read(portalDomainNameContextKey)?.toLowerCase(),
    certificateArn: read(portalCertificateArnContextKey),
    webAclArn: read(portalWebAclArnContextKey),
    ...(generation !== undefined ? { originVerifyGeneration: generation } : {}),
  });
}

/** `-c portalOriginVerifyGeneration=2` gives a string, cdk.json may give a number. */
function readGeneration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)) return Number(value.trim());
  throw new Error(
    `Invalid ${portalOriginVerifyGenerationContextKey} "${String(value)}": a whole number from 1 (raise it by one to rotate the origin-verify secret)`,
  );
}

export function validatePortalSettings(settings: PortalSettings): PortalSettings {
  const {
    domainName,
    certificateArn: certificate,
    webAclArn: webAcl,
    originVerifyGeneration: generation,
  } = settings;
  if ((domainName === undefined) !== (certificate === undefined)) {
    throw new Error('portalDomainName and portalCertificateArn go together: a domain needs its certificate');
  }
  if (domainName !== undefined && !hostName.test(domainName)) {
    throw new Error(`Invalid portalDomainName "${domainName}": a host name such as pam.example.com`);
  }
  if (certificate !== undefined && !certificateArn.test(certificate)) {
    throw new Error(
      `Invalid portalCertificateArn "${certificate}": an ACM certificate ARN in us-east-1 (CloudFront reads certificates there)`,
    );
  }
  if (webAcl !== undefined && !webAclArn.test(webAcl)) {
    throw new Error(
      `Invalid portalWebAclArn "${webAcl}": a WAFv2 web ACL ARN of scope CLOUDFRONT (us-east-1, …:global/webacl/…)`,
    );
  }
  if (generation !== undefined && !(Number.isSafeInteger(generation) && generation >= 1)) {
    throw new Error(
      `Invalid portalOriginVerifyGeneration "${generation}": a whole number from 1 (raise it by one to rotate the origin-verify secret)`,
    );
  }
  return {
    ...(domainName !== undefined ? { domainName } : {}),
    ...(certificate !== undefined ? { certificateArn: certificate } : {}),
    ...(webAcl !== undefined ? { webAclArn: webAcl } : {}),
    ...(generation !== undefined ? { originVerifyGeneration: generation } : {}),
  };
}

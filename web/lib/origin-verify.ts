import { timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * On AWS the portal's function URL is reachable from the internet (CloudFront's origin access
 * control cannot sign browsers' POST bodies), so CloudFront adds a secret header to every request
 * it forwards and the proxy refuses requests without it: only CloudFront (with its headers, WAF
 * and logs) reaches the portal. The secret is read once per instance from Secrets Manager
 * (STRONGROOM_WEB_ORIGIN_SECRET_ARN). Locally nothing is set and nothing is checked.
 */
export const originVerifyHeader = 'x-strongroom-origin-verify';

let cached: Promise<Buffer | null> | undefined;

function expectedSecret(): Promise<Buffer | null> {
  cached ??= (async () => {
    const arn = process.env.STRONGROOM_WEB_ORIGIN_SECRET_ARN;
    if (!arn) return null;
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
    if (!secret.SecretString) throw new Error('The portal origin secret is empty.');
    return Buffer.from(secret.SecretString.trim());
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

/** Whether the request came through CloudFront (always true where no origin secret is configured). */
export async function fromTrustedOrigin(headerValue: string | null): Promise<boolean> {
  const expected = await expectedSecret();
  if (!expected) return true;
  if (!headerValue) return false;
  const sent = Buffer.from(headerValue);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The 256-bit key that seals the session cookie. Locally `npm start` puts a random one in
 * STRONGROOM_WEB_SESSION_SECRET; on AWS the portal function reads it once per instance from the
 * Secrets Manager secret named by STRONGROOM_WEB_SESSION_SECRET_ARN (never from the template).
 */
let cached: Promise<Uint8Array> | undefined;

function decode(value: string): Uint8Array {
  const key = Buffer.from(value.trim(), 'base64url');
  if (key.length !== 32) throw new Error('The portal session secret must be 32 bytes, base64url-encoded.');
  return new Uint8Array(key);
}

export function sessionKey(): Promise<Uint8Array> {
  cached ??= (async () => {
    const inline = process.env.STRONGROOM_WEB_SESSION_SECRET;
    if (inline) return decode(inline);
    const arn = process.env.STRONGROOM_WEB_SESSION_SECRET_ARN;
    if (!arn) {
      throw new Error(
        'Set STRONGROOM_WEB_SESSION_SECRET or STRONGROOM_WEB_SESSION_SECRET_ARN for the portal.',
      );
    }
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
    if (!secret.SecretString) throw new Error('The portal session secret is empty.');
    return decode(secret.SecretString);
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

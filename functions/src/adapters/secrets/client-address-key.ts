import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The shortest key accepted: 32 characters (the generated one has 43 of 64 kinds, 258 bits). */
const minimumKeyLength = 32;

/**
 * The key the portal signs forwarded client addresses with (see http/client-attestation.ts).
 * Locally it is given inline (STRONGROOM_CLIENT_ADDRESS_KEY); on AWS it is the SecretString of
 * the secret named by STRONGROOM_CLIENT_ADDRESS_KEY_ARN, read once per function instance and
 * only when a request first carries an attestation. Neither given: null, and attestations are
 * refused. The key is the secret's UTF-8 bytes, as the portal uses them.
 */
export function createClientAddressKeySource(options: {
  readonly inline?: string | undefined;
  readonly secretArn?: string | undefined;
  readonly secretsManager?: () => Pick<SecretsManagerClient, 'send'>;
}): () => Promise<Uint8Array | null> {
  let cached: Promise<Uint8Array | null> | undefined;
  return () => {
    cached ??= (async () => {
      if (options.inline) return keyOf(options.inline);
      if (!options.secretArn) return null;
      if (!options.secretsManager) throw new Error('A Secrets Manager client is needed to read the key.');
      const secret = await options
        .secretsManager()
        .send(new GetSecretValueCommand({ SecretId: options.secretArn }));
      if (!secret.SecretString) throw new Error('The client-address key secret is empty.');
      return keyOf(secret.SecretString);
    })();
    // A failed read is retried by the next request rather than remembered.
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}

function keyOf(value: string): Uint8Array {
  const trimmed = value.trim();
  if (trimmed.length < minimumKeyLength) {
    throw new Error(`The client-address key must be at least ${minimumKeyLength} characters.`);
  }
  return new TextEncoder().encode(trimmed);
}

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, in Node's standard library, no native add-on to
 * ship to Lambda). Parameters are stored with each hash, so they can be raised later and old
 * hashes still verify; `needsRehash` tells when to upgrade a hash at the next sign-in.
 *
 * Format: `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`.
 */

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
  needsRehash(encoded: string): boolean;
}

export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. 17 (128 MiB with r=8) is OWASP's recommendation. */
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

export const recommendedScryptParameters: ScryptParameters = { logN: 17, r: 8, p: 1 };

const keyLength = 32;

function derive(password: string, salt: Buffer, { logN, r, p }: ScryptParameters): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export function createScryptPasswordHasher(
  parameters: ScryptParameters = recommendedScryptParameters,
): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, parameters);
      const { logN, r, p } = parameters;
      return `scrypt$${logN}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
    },

    async verify(password, encoded) {
      const parsed = parse(encoded);
      if (!parsed) return false;
      const key = await derive(password, parsed.salt, parsed.parameters);
      return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
    },

    needsRehash(encoded) {
      const parsed = parse(encoded);
      return (
        !parsed ||
        parsed.parameters.logN < parameters.logN ||
        parsed.parameters.r < parameters.r ||
        parsed.parameters.p < parameters.p
      );
    },
  };
}

function parse(encoded: string): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [logN, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16)
    return null;
  return {
    parameters: { logN, r, p },
    salt: Buffer.from(parts[4] ?? '', 'base64url'),
    key: Buffer.from(parts[5] ?? '', 'base64url'),
  };
}

import { subtle, type webcrypto } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import type { CredentialSealer, SealedCredential } from '@strongroom/shared/access/credential-sealer';
import { ValidationError } from '@strongroom/shared/kernel/errors';

/**
 * HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, on
 * Node's WebCrypto through @hpke/core. Every seal uses a fresh ephemeral key (`enc`), so the same
 * plaintext never gives the same ciphertext twice.
 *
 * The recipient's key is checked before use: strict unpadded base64url of exactly 32 bytes, a
 * canonical u-coordinate (below 2^255 − 19, top bit clear: one encoding per key), and not of low
 * order (a low-order point gives an all-zero shared secret, i.e. a key anyone could derive).
 */

export const hpkeSuiteName = 'DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM';

export const createHpkeSuite = (): CipherSuite =>
  new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

const publicKeyField = ['body', 'publicKey'] as const;
const invalidKey = (message: string) => ValidationError.field(publicKeyField, message);

/** UTF-8 of a string that must survive the round trip exactly (a lone surrogate would not). */
export function utf8(value: string, what: string): Uint8Array<ArrayBuffer> {
  if (!value.isWellFormed()) throw new TypeError(`${what} is not well-formed Unicode`);
  return new TextEncoder().encode(value);
}

/** Strict base64url (no padding, no whitespace, canonical trailing bits) → bytes, or null. */
export function decodeBase64Url(value: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1) return null;
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) return null;
  return new Uint8Array(bytes);
}

export const encodeBase64Url = (bytes: ArrayBuffer | Uint8Array): string =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64url');

/** Whether 32 little-endian bytes are a canonical X25519 u-coordinate: top bit clear and u < p. */
function isCanonicalU(bytes: Uint8Array): boolean {
  if (bytes[31]! > 0x7f) return false;
  if (bytes[31] !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (bytes[i] !== 0xff) return true;
  return bytes[0]! < 0xed; // p = 2^255 − 19 = 0x7fff…ffed
}

/** A fresh X25519 key pair on WebCrypto; the private key is not extractable. */
export async function generateX25519KeyPair(): Promise<webcrypto.CryptoKeyPair> {
  const pair = await subtle.generateKey('X25519', false, ['deriveBits']);
  if (!('privateKey' in pair)) throw new Error('WebCrypto returned no X25519 key pair');
  return pair;
}

/**
 * A throwaway private key of this process, used only to test keys for low order: every X25519
 * scalar is a multiple of the cofactor, so the shared secret with a low-order point is zero for
 * all of them, and WebCrypto refuses an all-zero X25519 result (OperationError).
 */
let probeKey: Promise<webcrypto.CryptoKey> | undefined;
const probe = () => {
  probeKey ??= generateX25519KeyPair().then((pair) => pair.privateKey);
  return probeKey;
};

/** Validates and imports a recipient's public key; throws ValidationError naming ['body','publicKey']. */
export async function importRecipientPublicKey(
  suite: CipherSuite,
  publicKey: string,
): Promise<webcrypto.CryptoKey> {
  if (typeof publicKey !== 'string') throw invalidKey('must be a base64url string');
  const bytes = decodeBase64Url(publicKey);
  if (bytes === null) throw invalidKey('must be base64url without padding');
  if (bytes.length !== 32) throw invalidKey('must be a raw X25519 public key of 32 bytes');
  if (!isCanonicalU(bytes)) throw invalidKey('is not a canonical X25519 public key');
  let key: webcrypto.CryptoKey;
  try {
    key = await suite.kem.deserializePublicKey(bytes.buffer);
  } catch {
    throw invalidKey('is not an X25519 public key');
  }
  try {
    await subtle.deriveBits({ name: 'X25519', public: key }, await probe(), 256);
  } catch (error) {
    if ((error as Error).name === 'OperationError') throw invalidKey('is a low-order X25519 point');
    throw error;
  }
  return key;
}

export function createHpkeCredentialSealer(): CredentialSealer {
  const suite = createHpkeSuite();
  return {
    async seal(recipientPublicKey, plaintext, binding): Promise<SealedCredential> {
      const recipientKey = await importRecipientPublicKey(suite, recipientPublicKey);
      const { enc, ct } = await suite.seal(
        { recipientPublicKey: recipientKey, info: utf8(binding.info, 'info') },
        utf8(plaintext, 'The credential'),
        utf8(binding.aad, 'aad'),
      );
      return { suite: hpkeSuiteName, enc: encodeBase64Url(enc), ciphertext: encodeBase64Url(ct) };
    },
  };
}
